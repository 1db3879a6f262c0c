import type { AuditEntry, AuditLogWriter } from '@pandora/domain';
import { jsonOrNull, type Db } from './prisma-client';

export class PrismaAuditLogWriter implements AuditLogWriter {
  constructor(private readonly db: Db) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.db.auditLog.create({
      data: {
        ...entry,
        metadata: jsonOrNull(entry.metadata),
        previousState: jsonOrNull(entry.previousState),
        newState: jsonOrNull(entry.newState),
      },
    });
  }
}
