import type { Principal } from '@pandora/domain';
import type { UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { sessionListSchema, toSessionDto } from '../schemas/dto.schemas';
import {
  adminKycChangeSchema,
  adminUserDtoSchema,
  listUsersQuerySchema,
  roleChangeSchema,
  toAdminUserDto,
  userIdParamsSchema,
  userListSchema,
} from '../schemas/admin.schemas';

/** /api/v1/admin/users… (docs/api.md#the-admin-api): search, inspect, KYC decisions, roles, deletion, sessions. */
export function adminUserRoutes(useCases: UseCases): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  const adminUser = { 200: { description: 'The user, as administrators see it.', schema: adminUserDtoSchema } };

  const kycChange = (method: 'patch' | 'put') =>
    route({
      method,
      path: '/api/v1/admin/users/:id/kyc',
      operationId: method === 'patch' ? 'adminChangeKyc' : 'adminChangeKycPut',
      summary: 'Move a user’s KYC status (pending → verified/rejected, verified → rejected, rejected → pending)',
      description:
        'An optional `reason` is kept in the audit row’s metadata and in the `user.kyc.updated` event. An administrator’s own KYC is decided by another administrator (403).',
      tags: ['admin'],
      auth: 'admin',
      params: userIdParamsSchema,
      body: adminKycChangeSchema,
      responses: adminUser,
      errors: ['USER_NOT_FOUND', 'INVALID_KYC_TRANSITION', 'FORBIDDEN'],
      handler: async ({ principal, params, body, client }) => {
        const user = await useCases.changeKycStatusAsAdmin.execute(
          principal,
          { userId: params.id, status: body.kyc_status, ...(body.reason ? { reason: body.reason } : {}) },
          client,
        );
        return { status: 200, body: toAdminUserDto(user) };
      },
    });

  const roleChange = (method: 'patch' | 'put') =>
    route({
      method,
      path: '/api/v1/admin/users/:id/role',
      operationId: method === 'patch' ? 'adminChangeRole' : 'adminChangeRolePut',
      summary: 'Promote or demote a user (their sessions are revoked)',
      tags: ['admin'],
      auth: 'admin',
      params: userIdParamsSchema,
      body: roleChangeSchema,
      responses: adminUser,
      errors: ['USER_NOT_FOUND', 'FORBIDDEN'],
      handler: async ({ principal, params, body, client }) => {
        const user = await useCases.changeRole.execute(principal, { userId: params.id, role: body.role }, client);
        return { status: 200, body: toAdminUserDto(user) };
      },
    });

  return [
    route({
      method: 'get',
      path: '/api/v1/admin/users',
      operationId: 'adminListUsers',
      summary: 'Search users (newest first, or oldest first with sort=created_at)',
      description:
        '`query` matches email, first and last name case-insensitively; `%` and `_` are literal. ' +
        'The KYC review queue is `kyc_status=pending&sort=created_at`.',
      tags: ['admin'],
      auth: 'admin',
      query: listUsersQuerySchema,
      responses: { 200: { description: 'One page of users and the total number of matches.', schema: userListSchema } },
      handler: async ({ query }) => {
        const { users, total } = await useCases.listAdminUsers.execute({
          ...(query.query ? { query: query.query } : {}),
          ...(query.role ? { role: query.role } : {}),
          ...(query.kyc_status ? { kycStatus: query.kyc_status } : {}),
          includeDeleted: query.include_deleted,
          sort: query.sort,
          limit: query.limit,
          offset: query.offset,
        });
        return { status: 200, body: { users: users.map(toAdminUserDto), total, limit: query.limit, offset: query.offset } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/admin/users/:id',
      operationId: 'adminGetUser',
      summary: 'One user (deleted users included)',
      tags: ['admin'],
      auth: 'admin',
      params: userIdParamsSchema,
      responses: adminUser,
      errors: ['USER_NOT_FOUND'],
      handler: async ({ params }) => ({ status: 200, body: toAdminUserDto(await useCases.getAdminUser.execute(params.id)) }),
    }),
    kycChange('patch'),
    kycChange('put'),
    roleChange('patch'),
    roleChange('put'),
    route({
      method: 'delete',
      path: '/api/v1/admin/users/:id',
      operationId: 'adminDeleteUser',
      summary: 'Delete a user (soft delete; every session revoked)',
      tags: ['admin'],
      auth: 'admin',
      params: userIdParamsSchema,
      responses: { 204: { description: 'Deleted.' } },
      errors: ['USER_NOT_FOUND', 'FORBIDDEN'],
      handler: async ({ principal, params, client }) => {
        await useCases.deleteUserAsAdmin.execute(principal, { userId: params.id }, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/admin/users/:id/unlock',
      operationId: 'adminUnlockLogin',
      summary: 'Clear login throttling (failed-login count and any lock) for a user',
      tags: ['admin'],
      auth: 'admin',
      params: userIdParamsSchema,
      responses: { 204: { description: 'Unlocked.' } },
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal, params, client }) => {
        await useCases.unlockLogin.execute(principal, { userId: params.id }, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/admin/users/:id/unfreeze',
      operationId: 'adminUnfreezeUser',
      summary: 'Lift the freeze its owner put on an account from a security notice',
      description:
        'Logins work again; the sessions and links the freeze revoked stay dead. An account that is not frozen is left unchanged. Make sure you are talking to the owner first (the runbook says how).',
      tags: ['admin'],
      auth: 'admin',
      params: userIdParamsSchema,
      responses: { 204: { description: 'Unfrozen (or it was not frozen).' } },
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal, params, client }) => {
        await useCases.unfreezeAccount.execute(principal, { userId: params.id }, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/admin/users/:id/mfa',
      operationId: 'adminResetUserMfa',
      summary: 'Remove a user’s second factor (support reset; every session of the user is revoked)',
      description:
        'For someone who lost their authenticator and every recovery code. A user without MFA is left unchanged. Administrators remove their own factor with DELETE /api/v1/users/me/mfa.',
      tags: ['admin'],
      auth: 'admin',
      params: userIdParamsSchema,
      responses: { 204: { description: 'MFA removed.' } },
      errors: ['USER_NOT_FOUND', 'FORBIDDEN'],
      handler: async ({ principal, params, client }) => {
        await useCases.resetUserMfa.execute(principal, { userId: params.id }, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/admin/users/:id/sessions',
      operationId: 'adminListUserSessions',
      summary: 'Active sessions of a user',
      tags: ['admin'],
      auth: 'admin',
      params: userIdParamsSchema,
      responses: { 200: { description: 'Sessions, newest first (never tokens).', schema: sessionListSchema } },
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal, params }) => {
        const sessions = await useCases.listUserSessions.execute(params.id);
        return { status: 200, body: { sessions: sessions.map((session) => toSessionDto(session, principal.sessionId)) } };
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/admin/users/:id/sessions',
      operationId: 'adminRevokeUserSessions',
      summary: 'Revoke every session of a user',
      tags: ['admin'],
      auth: 'admin',
      params: userIdParamsSchema,
      responses: { 204: { description: 'Revoked.' } },
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal, params, client }) => {
        await useCases.revokeUserSessions.execute(principal, { userId: params.id }, client);
        return { status: 204 };
      },
    }),
  ];
}
