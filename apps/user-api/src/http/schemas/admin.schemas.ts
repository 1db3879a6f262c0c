import { kycStatusSchema, KYC_STATUSES, roleSchema, type AuditEntry } from '@pandora/domain';
import type { AdminUser } from '@pandora/use-cases';
import { z } from 'zod';
import { toUserDto, userDtoSchema } from './dto.schemas';

/**
 * Admin API shapes (docs/api.md#the-admin-api). Query strings are strict: unknown parameters, repeated parameters,
 * non-integers and out-of-range numbers are 400s, never silently clamped.
 */
const timestamp = z.iso.datetime();
const CONTROL = /\p{Cc}/u;

/** An empty value (`?role=`) means "no filter" (docs/api.md#strict-input). */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
}

function integerParam(defaultValue: number, min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .refine((value) => value >= min && value <= max, `must be between ${min} and ${max}`)
    .optional()
    .transform((value) => value ?? defaultValue);
}

/**
 * A point in time of a query: RFC 3339 with an offset, between 1970 and 9999 (UTC). Earlier or later
 * dates cannot match a row, and outside that range JavaScript dates and PostgreSQL's timestamps stop
 * agreeing on how to write them: a 400 is the only honest answer.
 */
const EARLIEST_QUERY_TIME = Date.UTC(1970, 0, 1);
const LATEST_QUERY_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const queryTimestamp = z.iso.datetime({ offset: true, message: 'must be an RFC 3339 timestamp' }).refine((value) => {
  const time = Date.parse(value);
  return time >= EARLIEST_QUERY_TIME && time <= LATEST_QUERY_TIME;
}, 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z');

export const userIdParamsSchema = z.strictObject({ id: z.uuid('must be a UUID') });

export const adminUserDtoSchema = userDtoSchema
  .extend({
    deleted_at: timestamp.nullable(),
    is_active: z.boolean().meta({ description: 'Neither deleted nor frozen: the account can sign in (login throttling aside).' }),
    frozen_at: timestamp
      .nullable()
      .meta({ description: 'Since when the owner has frozen the account from a security notice (null: not frozen); lifted by unfreeze.' }),
    locked_until: timestamp.nullable().meta({ description: 'End of a login lock (throttling), if one is in force.' }),
  })
  .meta({ id: 'AdminUser' });

/** The admin use cases answer AdminUser views: the row plus the login lock, which only the login throttle knows. */
export function toAdminUserDto(user: AdminUser) {
  return {
    ...toUserDto(user),
    deleted_at: user.deletedAt ? user.deletedAt.toISOString() : null,
    is_active: user.deletedAt === null && user.frozenAt === null,
    frozen_at: user.frozenAt ? user.frozenAt.toISOString() : null,
    locked_until: user.lockedUntil ? user.lockedUntil.toISOString() : null,
  };
}

/** Sort keys of the user list; a leading `-` means descending. */
export const USER_SORTS = ['created_at', '-created_at'] as const;

export const listUsersQuerySchema = z.strictObject({
  limit: integerParam(20, 1, 100),
  offset: integerParam(0, 0, 1_000_000),
  query: optional(
    z
      .string()
      .trim()
      .max(254)
      .refine((value) => !CONTROL.test(value), 'must not contain control characters'),
  ),
  role: optional(roleSchema),
  kyc_status: optional(kycStatusSchema),
  include_deleted: z
    .enum(['true', 'false'], 'must be true or false')
    .optional()
    .transform((value) => value === 'true'),
  sort: optional(z.enum(USER_SORTS, `must be one of ${USER_SORTS.join(', ')}`))
    .transform((value) => value ?? '-created_at')
    .meta({ description: '`-created_at` (default): newest first; `created_at`: oldest first (the KYC queue).' }),
});

export const userListSchema = z
  .object({ users: z.array(adminUserDtoSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .meta({ id: 'AdminUserList' });

export const adminKycChangeSchema = z
  .strictObject({
    kyc_status: kycStatusSchema,
    reason: z
      .string()
      .trim()
      .max(500)
      .refine((value) => !CONTROL.test(value), 'must not contain control characters')
      // Blank means "no reason given", like an absent field.
      .transform((value) => value || undefined)
      .optional()
      .meta({ description: 'Why (kept in the audit row and the `user.kyc.updated` event); at most 500 characters.' }),
  })
  .meta({ id: 'AdminKycStatusChange' });
export const roleChangeSchema = z.strictObject({ role: roleSchema }).meta({ id: 'RoleChange' });

export const auditLogQuerySchema = z.strictObject({
  user_id: optional(z.uuid('must be a UUID')),
  event_type: optional(
    z
      .string()
      .max(100)
      .regex(/^[a-z0-9_.]+$/, 'must look like user.kyc.updated'),
  ),
  from: optional(queryTimestamp),
  to: optional(queryTimestamp),
  limit: integerParam(50, 1, 200),
  cursor: optional(z.string().max(200)),
});

export const auditEntryDtoSchema = z
  .object({
    id: z.uuid(),
    event_type: z.string(),
    event_category: z.string(),
    severity: z.string(),
    user_id: z.uuid().nullable(),
    actor_type: z.string(),
    actor_identifier: z.string().nullable(),
    action: z.string(),
    resource_type: z.string().nullable(),
    resource_id: z.string().nullable(),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    session_id: z.uuid().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    previous_state: z.record(z.string(), z.unknown()).nullable(),
    new_state: z.record(z.string(), z.unknown()).nullable(),
    status: z.string(),
    failure_reason: z.string().nullable(),
    retention_until: timestamp,
    is_sensitive: z.boolean(),
    created_at: timestamp,
  })
  .meta({ id: 'AuditLogEntry' });

export const auditLogPageSchema = z
  .object({
    items: z.array(auditEntryDtoSchema),
    next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next (older) page; null on the last page.' }),
  })
  .meta({ id: 'AuditLogPage' });

export function toAuditEntryDto(entry: AuditEntry) {
  return {
    id: entry.id,
    event_type: entry.eventType,
    event_category: entry.eventCategory,
    severity: entry.severity,
    user_id: entry.userId,
    actor_type: entry.actorType,
    actor_identifier: entry.actorIdentifier,
    action: entry.action,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    ip_address: entry.ipAddress,
    user_agent: entry.userAgent,
    request_id: entry.requestId,
    session_id: entry.sessionId,
    metadata: entry.metadata,
    previous_state: entry.previousState,
    new_state: entry.newState,
    status: entry.status,
    failure_reason: entry.failureReason,
    retention_until: entry.retentionUntil.toISOString(),
    is_sensitive: entry.isSensitive,
    created_at: entry.createdAt.toISOString(),
  };
}

/** Opaque keyset cursor: base64url of [created_at, id] of the last entry of the previous page. */
export function encodeAuditCursor(position: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

const cursorShape = z.tuple([z.iso.datetime(), z.uuid()]);

export function decodeAuditCursor(cursor: string): { createdAt: Date; id: string } | null {
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: new Date(parsed.data[0]), id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

export const statisticsSchema = z
  .object({
    total_users: z.number().int(),
    active_sessions: z.number().int(),
    users_by_kyc_status: z.object(
      Object.fromEntries(KYC_STATUSES.map((status) => [status, z.number().int()])) as Record<(typeof KYC_STATUSES)[number], z.ZodNumber>,
    ),
  })
  .meta({ id: 'Statistics' });
