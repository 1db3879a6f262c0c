import type { Principal } from '@pandora/domain';
import type { UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { authResponseSchema, toAuthResponse } from '../schemas/dto.schemas';
import { loginRequestSchema } from '../schemas/request.schemas';

/** POST /api/v1/admin/auth/login — administrators only; anyone else gets the wrong-password answer. */
export function adminAuthRoutes(useCases: UseCases): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  return [
    route({
      method: 'post',
      path: '/api/v1/admin/auth/login',
      operationId: 'adminLogin',
      summary: 'Log in as an administrator',
      description:
        'A non-admin account gets exactly the same 401 INVALID_CREDENTIALS as a wrong password. Failed logins are limited as on the public login.',
      tags: ['admin'],
      auth: 'none',
      body: loginRequestSchema,
      responses: { 200: { description: 'Logged in.', schema: authResponseSchema } },
      errors: ['INVALID_CREDENTIALS', 'RATE_LIMITED'],
      handler: async ({ body, client }) => ({
        status: 200,
        body: toAuthResponse(await useCases.logInAsAdmin.execute({ email: body.email, password: body.password }, client)),
      }),
    }),
  ];
}
