import type { Principal } from '@pandora/domain';
import type { UseCases } from '@pandora/use-cases';
import { AppError } from '@pandora/errors';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import {
  auditLogPageSchema,
  auditLogQuerySchema,
  decodeAuditCursor,
  encodeAuditCursor,
  statisticsSchema,
  toAuditEntryDto,
} from '../schemas/admin.schemas';

/** GET /api/v1/admin/audit-logs and /api/v1/admin/stats (docs/api.md#the-admin-api). */
export function adminAuditRoutes(useCases: UseCases): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  return [
    route({
      method: 'get',
      path: '/api/v1/admin/audit-logs',
      operationId: 'adminQueryAuditLog',
      summary: 'The audit trail, newest first, with cursor pagination',
      tags: ['admin'],
      auth: 'admin',
      query: auditLogQuerySchema,
      responses: { 200: { description: 'One page of audit entries.', schema: auditLogPageSchema } },
      handler: async ({ query }) => {
        const before = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
        if (before === null) throw AppError.invalidInput([{ field: 'cursor', message: 'is not a cursor this API issued' }]);
        const page = await useCases.queryAuditLog.execute({
          ...(query.user_id ? { userId: query.user_id } : {}),
          ...(query.event_type ? { eventType: query.event_type } : {}),
          ...(query.from ? { from: new Date(query.from) } : {}),
          ...(query.to ? { to: new Date(query.to) } : {}),
          ...(before ? { before } : {}),
          limit: query.limit,
        });
        return {
          status: 200,
          body: { items: page.items.map(toAuditEntryDto), next_cursor: page.next ? encodeAuditCursor(page.next) : null },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/admin/stats',
      operationId: 'adminStatistics',
      summary: 'Users, live sessions and KYC distribution',
      tags: ['admin'],
      auth: 'admin',
      responses: { 200: { description: 'Headline numbers.', schema: statisticsSchema } },
      handler: async () => {
        const stats = await useCases.getStatistics.execute();
        return {
          status: 200,
          body: { total_users: stats.totalUsers, active_sessions: stats.activeSessions, users_by_kyc_status: stats.usersByKycStatus },
        };
      },
    }),
  ];
}
