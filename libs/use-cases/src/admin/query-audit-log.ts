import { AppError } from '@pandora/errors';
import type { AuditEntry } from '@pandora/domain';
import type { AuditLogQuery } from '@pandora/domain';
import type { Ports } from '../ports';

export const MAX_AUDIT_PAGE_SIZE = 200;

export interface AuditLogPage {
  items: AuditEntry[];
  /** Where the next page starts, or null on the last page. */
  next: { createdAt: Date; id: string } | null;
}

export type QueryAuditLogPorts = Pick<Ports, 'repositories'>;

/** The audit trail, newest first, with keyset pagination (stable while new rows arrive). */
export class QueryAuditLog {
  constructor(private readonly deps: QueryAuditLogPorts) {}

  async execute(query: AuditLogQuery): Promise<AuditLogPage> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_AUDIT_PAGE_SIZE) {
      throw AppError.invalidInput([{ field: 'limit', message: `must be between 1 and ${MAX_AUDIT_PAGE_SIZE}` }]);
    }
    if (query.from && query.to && query.from > query.to) {
      throw AppError.invalidInput([{ field: 'from', message: 'must not be after to' }]);
    }
    const rows = await this.deps.repositories.auditTrail.query({ ...query, limit: query.limit + 1 });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return { items, next: rows.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
  }
}
