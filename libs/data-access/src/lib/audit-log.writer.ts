import type { AuditEntry, AuditLogWriter } from '@pandora/domain';
import type { Queryable } from './sql/database';
import { auditLogs } from './tables/audit-logs';

/** Appends audit rows inside the caller's transaction (every state change writes at least one). */
export class PgAuditLogWriter implements AuditLogWriter {
  constructor(private readonly db: Queryable) {}

  async append(entry: AuditEntry): Promise<void> {
    const insert = auditLogs.insert(entry);
    await this.db.query(insert.text, insert.values);
  }
}
