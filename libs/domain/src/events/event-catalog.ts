import { z } from 'zod';
import { KYC_STATUSES } from '../model/kyc-status';
import { ROLES } from '../model/role';

/**
 * The domain events (docs/events.md) and their payloads. These schemas are the contract with every
 * consumer of the `user-service:events` stream; docs/events.md describes them for consumers, and a
 * test (libs/event-stream/test/events-doc.test.ts) keeps the two in step.
 * Payload keys are snake_case, timestamps RFC 3339 UTC strings.
 */
const isoTimestamp = z.iso.datetime({ offset: false });

export const EVENT_PAYLOAD_SCHEMAS = {
  'user.registered': z.strictObject({
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    role: z.enum(ROLES),
  }),
  'user.logged_in': z.strictObject({ email: z.string() }),
  'user.profile.updated': z.strictObject({ email: z.string(), first_name: z.string(), last_name: z.string() }),
  'user.kyc.updated': z.strictObject({
    email: z.string(),
    kyc_status: z.enum(KYC_STATUSES),
    old_status: z.enum(KYC_STATUSES),
    reason: z.string().max(500).optional(),
  }),
  'user.role.changed': z.strictObject({ email: z.string(), role: z.enum(ROLES), old_role: z.enum(ROLES) }),
  'user.password.changed': z.strictObject({ email: z.string() }),
  'user.password.reset': z.strictObject({ email: z.string() }),
  'user.email.verified': z.strictObject({ email: z.string() }),
  'user.email.changed': z.strictObject({ email: z.string(), old_email: z.string() }),
  'user.deleted': z.strictObject({ email: z.string(), deleted_at: isoTimestamp }),
  'user.mfa.enabled': z.strictObject({ email: z.string() }),
  'user.mfa.disabled': z.strictObject({ email: z.string(), reason: z.enum(['user', 'admin_reset']) }),
  'user.account.frozen': z.strictObject({ email: z.string(), frozen_at: isoTimestamp }),
  'user.account.unfrozen': z.strictObject({ email: z.string() }),
  'session.revoked': z.strictObject({ session_ids: z.array(z.uuid()).min(1), reason: z.string() }),
  'audit.retention.completed': z.strictObject({
    deleted_audit_logs: z.number().int().nonnegative(),
    deleted_sessions: z.number().int().nonnegative(),
    // Always written; optional so that readers still accept events published before it existed.
    deleted_refresh_tokens: z.number().int().nonnegative().optional(),
    deleted_outbox_events: z.number().int().nonnegative(),
    cutoff: isoTimestamp,
  }),
} as const;

export type EventType = keyof typeof EVENT_PAYLOAD_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOAD_SCHEMAS) as EventType[];
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOAD_SCHEMAS)[T]>;

/** Context carried with every event; each field only where known. */
export const eventMetadataSchema = z.strictObject({
  request_id: z.string().optional(),
  ip_address: z.string().optional(),
  user_agent: z.string().optional(),
  traceparent: z.string().optional(),
  actor_id: z.string().optional(),
  actor_type: z.string().optional(),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema>;
