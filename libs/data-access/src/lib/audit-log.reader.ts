import type { AuditCategory, AuditEntry, AuditLogQuery, AuditLogReader, AuditSeverity, AuditStatus } from '@pandora/domain';
import type { AuditLog, Prisma } from '@prisma/client';
import type { Db } from './prisma-client';

function toAuditEntry(row: AuditLog): AuditEntry {
  return {
    ...row,
    eventCategory: row.eventCategory as AuditCategory,
    severity: row.severity as AuditSeverity,
    status: row.status as AuditStatus,
    metadata: row.metadata as Record<string, unknown> | null,
    previousState: row.previousState as Record<string, unknown> | null,
    newState: row.newState as Record<string, unknown> | null,
  };
}

/** Reads the audit trail newest first with keyset pagination on (created_at, id). */
export class PrismaAuditLogReader implements AuditLogReader {
  constructor(private readonly db: Db) {}

  async query(query: AuditLogQuery): Promise<AuditEntry[]> {
    const where: Prisma.AuditLogWhereInput = {
      ...(query.userId ? { userId: query.userId } : {}),
      ...(query.eventType ? { eventType: query.eventType } : {}),
      ...(query.from || query.to
        ? { createdAt: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lte: query.to } : {}) } }
        : {}),
    };
    const before = query.before;
    const rows = await this.db.auditLog.findMany({
      where: before
        ? { AND: [where, { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] }] }
        : where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit,
    });
    return rows.map(toAuditEntry);
  }
}
