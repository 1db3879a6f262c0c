import type { Principal } from '@pandora/domain';
import type { UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { authResponseSchema, loginAnswerSchema, toAuthResponse } from '../schemas/dto.schemas';
import { loginRequestSchema, mfaVerifyRequestSchema } from '../schemas/request.schemas';
import { LOGIN_DESCRIPTION, toLoginAnswer } from './auth.routes';

/**
 * POST /api/v1/admin/auth/login and /mfa/verify — administrators only; anyone else gets the
 * wrong-password answer. Both stay reachable with an `aal: 1` token under ADMIN_MFA_REQUIRED:
 * they are how an administrator gets an `aal: 2` one.
 */
export function adminAuthRoutes(useCases: UseCases): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  return [
    route({
      method: 'post',
      path: '/api/v1/admin/auth/login',
      operationId: 'adminLogin',
      issuesCredentials: true,
      summary: 'Log in as an administrator',
      description: `A non-admin account gets exactly the same 401 INVALID_CREDENTIALS as a wrong password. Failed logins are limited as on the public login. ${LOGIN_DESCRIPTION}`,
      tags: ['admin'],
      auth: 'none',
      body: loginRequestSchema,
      responses: { 200: { description: 'Logged in, or an MFA challenge to complete.', schema: loginAnswerSchema } },
      errors: ['INVALID_CREDENTIALS', 'RATE_LIMITED'],
      handler: async ({ body, client }) => ({
        status: 200,
        body: toLoginAnswer(await useCases.logInAsAdmin.execute({ email: body.email, password: body.password }, client)),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/admin/auth/mfa/verify',
      operationId: 'adminVerifyMfa',
      issuesCredentials: true,
      summary: 'Complete an administrator’s MFA login',
      description:
        'Only challenges issued by the admin login, for accounts that are still administrators. Wrong codes count as failed logins, as on the public MFA verify.',
      tags: ['admin'],
      auth: 'none',
      body: mfaVerifyRequestSchema,
      responses: { 200: { description: 'Logged in with two factors (`aal: 2`).', schema: authResponseSchema } },
      errors: ['INVALID_MFA_TOKEN', 'INVALID_MFA_CODE', 'RATE_LIMITED'],
      handler: async ({ body, client }) => ({
        status: 200,
        body: toAuthResponse(await useCases.verifyMfaAsAdmin.execute({ mfaToken: body.mfa_token, code: body.code }, client)),
      }),
    }),
  ];
}
