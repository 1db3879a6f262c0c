import type { Principal } from '@pandora/domain';
import type { UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { sessionListSchema, toSessionDto } from '../schemas/dto.schemas';
import { logoutRequestSchema, sessionIdParamsSchema } from '../schemas/request.schemas';

/** The caller's sessions and logging out (docs/api.md#the-public-api). */
export function sessionRoutes(useCases: UseCases): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  return [
    route({
      method: 'get',
      path: '/api/v1/users/me/sessions',
      operationId: 'listMySessions',
      summary: 'Active sessions of the caller, newest first',
      tags: ['sessions'],
      auth: 'user',
      responses: { 200: { description: 'Sessions (never tokens).', schema: sessionListSchema } },
      handler: async ({ principal }) => {
        const sessions = await useCases.listSessions.execute(principal.userId);
        return { status: 200, body: { sessions: sessions.map((session) => toSessionDto(session, principal.sessionId)) } };
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/users/me/sessions/:id',
      operationId: 'revokeMySession',
      summary: 'Revoke one of the caller’s sessions',
      tags: ['sessions'],
      auth: 'user',
      params: sessionIdParamsSchema,
      responses: { 204: { description: 'Revoked (or already ended).' } },
      errors: ['NOT_FOUND'],
      handler: async ({ principal, params, client }) => {
        await useCases.revokeOwnSession.execute(principal, params.id, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/users/me/logout',
      operationId: 'logout',
      summary: 'End the session of the given refresh token, or the current one',
      tags: ['sessions'],
      auth: 'user',
      body: logoutRequestSchema,
      bodyOptional: true,
      responses: { 204: { description: 'Logged out (idempotent).' } },
      handler: async ({ principal, body, client }) => {
        await useCases.logOut.execute(principal, body.refresh_token !== undefined ? { refreshToken: body.refresh_token } : {}, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/users/me/logout-all',
      operationId: 'logoutAll',
      summary: 'End every session of the caller',
      tags: ['sessions'],
      auth: 'user',
      responses: { 204: { description: 'Logged out everywhere.' } },
      handler: async ({ principal, client }) => {
        await useCases.logOutEverywhere.execute(principal, client);
        return { status: 204 };
      },
    }),
  ];
}
