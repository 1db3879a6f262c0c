import type { AuditCategory, AuditSeverity, AuditStatus } from '@pandora/domain';
import { col, defineTable, type RowOf } from '../sql/table';

/** `audit_logs`: the immutable audit trail (a trigger refuses UPDATE and early DELETE). */
export const auditLogs = defineTable('audit_logs', {
  id: col.uuid('id'),
  eventType: col.text('event_type'),
  eventCategory: col.text<AuditCategory>('event_category'),
  severity: col.text<AuditSeverity>('severity'),
  userId: col.nullable(col.uuid('user_id')),
  actorType: col.text('actor_type'),
  actorIdentifier: col.nullable(col.text('actor_identifier')),
  action: col.text('action'),
  resourceType: col.nullable(col.text('resource_type')),
  resourceId: col.nullable(col.text('resource_id')),
  ipAddress: col.nullable(col.text('ip_address')),
  userAgent: col.nullable(col.text('user_agent')),
  requestId: col.nullable(col.text('request_id')),
  sessionId: col.nullable(col.uuid('session_id')),
  metadata: col.nullable(col.jsonb<Record<string, unknown>>('metadata')),
  previousState: col.nullable(col.jsonb<Record<string, unknown>>('previous_state')),
  newState: col.nullable(col.jsonb<Record<string, unknown>>('new_state')),
  status: col.text<AuditStatus>('status'),
  failureReason: col.nullable(col.text('failure_reason')),
  retentionUntil: col.timestamptz('retention_until'),
  isSensitive: col.boolean('is_sensitive'),
  createdAt: col.timestamptz('created_at'),
});

export type AuditLogRow = RowOf<typeof auditLogs.columns>;
