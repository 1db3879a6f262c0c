import type { UserApiConfig } from '@pandora/config';
import type { Principal } from '@pandora/domain';
import { type UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { authResponseSchema, toAuthResponse } from '../schemas/dto.schemas';
import { loginRequestSchema, refreshRequestSchema, registerRequestSchema } from '../schemas/request.schemas';

/** POST /api/v1/auth/register | login | refresh (docs/api.md#the-public-api). */
export function authRoutes(useCases: UseCases, limits: UserApiConfig['rateLimits']): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  return [
    route({
      method: 'post',
      path: '/api/v1/auth/register',
      operationId: 'register',
      summary: 'Create an account (and log it in)',
      tags: ['auth'],
      auth: 'none',
      body: registerRequestSchema,
      responses: { 201: { description: 'Registered; the new user is logged in.', schema: authResponseSchema } },
      errors: ['USER_ALREADY_EXISTS', 'WEAK_PASSWORD', 'RATE_LIMITED'],
      rateLimit: ({ client }) => ({ name: 'register', subject: client.ipAddress ?? 'unknown', ...limits.register }),
      handler: async ({ body, client }) => {
        const result = await useCases.register.execute(
          { email: body.email, password: body.password, firstName: body.first_name, lastName: body.last_name },
          client,
        );
        return { status: 201, body: toAuthResponse(result) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/login',
      operationId: 'login',
      summary: 'Log in with email and password',
      description:
        'An unknown email and a wrong password get the same answer after the same work. Only failed logins count against the limits: consecutive failures lock the email for a while (LOGIN_LOCKOUT_*), and failures from one client IP for one email are limited per window (RATE_LIMIT_LOGIN_*); a success resets both.',
      tags: ['auth'],
      auth: 'none',
      body: loginRequestSchema,
      responses: { 200: { description: 'Logged in.', schema: authResponseSchema } },
      errors: ['INVALID_CREDENTIALS', 'RATE_LIMITED'],
      handler: async ({ body, client }) => ({
        status: 200,
        body: toAuthResponse(await useCases.logIn.execute({ email: body.email, password: body.password }, client)),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/refresh',
      operationId: 'refresh',
      summary: 'Exchange a refresh token for a new token pair',
      description:
        'The refresh token is rotated: the old one stops working. Presenting an already-rotated token again (outside a short grace window) revokes the whole session.',
      tags: ['auth'],
      auth: 'none',
      body: refreshRequestSchema,
      responses: { 200: { description: 'A new access token and a new refresh token.', schema: authResponseSchema } },
      errors: ['INVALID_REFRESH_TOKEN'],
      handler: async ({ body, client }) => ({
        status: 200,
        body: toAuthResponse(await useCases.refresh.execute({ refreshToken: body.refresh_token }, client)),
      }),
    }),
  ];
}
