import type { AuditEntry, AuditLogWriter } from '@pandora/domain';
import type { QueryRunner } from './sql/database';
import { auditLogs } from './tables/audit-logs';

/** Appends audit rows inside the caller's transaction (every state change writes at least one). */
export class PgAuditLogWriter implements AuditLogWriter {
  constructor(private readonly db: QueryRunner) {}

  async append(entry: AuditEntry): Promise<void> {
    const insert = auditLogs.insert(entry);
    await this.db.write(insert.text, insert.values);
  }
}
