import type { AuditEntry, AuditLogWriter } from '@pandora/domain';
import type { Db } from './prisma-client';

/**
 * Hand-written SQL rather than `auditLog.create`: every state change writes audit rows inside its
 * transaction, and Prisma's query compiler spends about three times as long preparing a create of
 * this 22-column row as a raw statement costs (docs/benchmarks.md). Still through the caller's
 * client, so the row joins the caller's transaction.
 */
const INSERT_AUDIT_ROW = `INSERT INTO audit_logs (id, event_type, event_category, severity, user_id, actor_type, actor_identifier, action,
    resource_type, resource_id, ip_address, user_agent, request_id, session_id, metadata, previous_state, new_state, status,
    failure_reason, retention_until, is_sensitive, created_at)
  VALUES ($1::uuid, $2, $3, $4, $5::uuid, $6, $7, $8, $9, $10, $11, $12, $13, $14::uuid, $15::jsonb, $16::jsonb, $17::jsonb, $18,
    $19, $20, $21, $22)`;

/** A JSON column's parameter: the JSON text, or SQL NULL. */
export function jsonParameter(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export class PrismaAuditLogWriter implements AuditLogWriter {
  constructor(private readonly db: Db) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.db.$executeRawUnsafe(
      INSERT_AUDIT_ROW,
      entry.id,
      entry.eventType,
      entry.eventCategory,
      entry.severity,
      entry.userId,
      entry.actorType,
      entry.actorIdentifier,
      entry.action,
      entry.resourceType,
      entry.resourceId,
      entry.ipAddress,
      entry.userAgent,
      entry.requestId,
      entry.sessionId,
      jsonParameter(entry.metadata),
      jsonParameter(entry.previousState),
      jsonParameter(entry.newState),
      entry.status,
      entry.failureReason,
      entry.retentionUntil,
      entry.isSensitive,
      entry.createdAt,
    );
  }
}
