import type { AuditEntry, AuditLogQuery, AuditLogReader } from '@pandora/domain';
import type { Queryable } from './sql/database';
import { auditLogs, type AuditLogRow } from './tables/audit-logs';

/** Reads the audit trail newest first with keyset pagination on (created_at, id). */
export class PgAuditLogReader implements AuditLogReader {
  constructor(private readonly db: Queryable) {}

  async query(query: AuditLogQuery): Promise<AuditEntry[]> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const bind = (value: unknown, cast: string) => {
      values.push(value);
      return `$${values.length}${cast}`;
    };
    if (query.userId) conditions.push(`user_id = ${bind(query.userId, '::uuid')}`);
    if (query.eventType) conditions.push(`event_type = ${bind(query.eventType, '')}`);
    if (query.from) conditions.push(`created_at >= ${bind(query.from, '::timestamptz')}`);
    if (query.to) conditions.push(`created_at <= ${bind(query.to, '::timestamptz')}`);
    if (query.before) {
      // Row comparison matches the (created_at DESC, id DESC) index order exactly.
      conditions.push(`(created_at, id) < (${bind(query.before.createdAt, '::timestamptz')}, ${bind(query.before.id, '::uuid')})`);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const { rows } = await this.db.query<AuditLogRow>(
      `SELECT ${auditLogs.select()} FROM audit_logs ${where} ORDER BY created_at DESC, id DESC LIMIT ${bind(query.limit, '::int')}`,
      values,
    );
    return rows;
  }
}
