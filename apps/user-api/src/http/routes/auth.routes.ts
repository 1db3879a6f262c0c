import type { UserApiConfig } from '@pandora/config';
import type { Principal } from '@pandora/domain';
import { isMfaChallenge, type AuthResult, type MfaChallengeIssued, type UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { authResponseSchema, loginAnswerSchema, toAuthResponse, toMfaChallengeDto } from '../schemas/dto.schemas';
import { loginRequestSchema, mfaVerifyRequestSchema, refreshRequestSchema, registerRequestSchema } from '../schemas/request.schemas';

/** A login answers the token pair, or — for an account with TOTP on — the MFA challenge. */
export function toLoginAnswer(result: AuthResult | MfaChallengeIssued) {
  return isMfaChallenge(result) ? toMfaChallengeDto(result) : toAuthResponse(result);
}

export const LOGIN_DESCRIPTION =
  'For an account with two-factor authentication the right password opens no session yet: the answer is an MFA challenge (`mfa_required: true`, `mfa_token`), completed with a code at the MFA verify route.';

/** POST /api/v1/auth/register | login | mfa/verify | refresh (docs/api.md#the-public-api). */
export function authRoutes(useCases: UseCases, limits: UserApiConfig['rateLimits']): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  return [
    route({
      method: 'post',
      path: '/api/v1/auth/register',
      operationId: 'register',
      issuesCredentials: true,
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
      issuesCredentials: true,
      summary: 'Log in with email and password',
      description: `An unknown email and a wrong password get the same answer after the same work. Only failed logins count against the limits: consecutive failures lock the email for a while (LOGIN_LOCKOUT_*), and failures from one client IP for one email are limited per window (RATE_LIMIT_LOGIN_*); a success resets both. ${LOGIN_DESCRIPTION}`,
      tags: ['auth'],
      auth: 'none',
      body: loginRequestSchema,
      responses: { 200: { description: 'Logged in, or an MFA challenge to complete.', schema: loginAnswerSchema } },
      errors: ['INVALID_CREDENTIALS', 'RATE_LIMITED'],
      handler: async ({ body, client }) => ({
        status: 200,
        body: toLoginAnswer(await useCases.logIn.execute({ email: body.email, password: body.password }, client)),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/mfa/verify',
      operationId: 'verifyMfa',
      issuesCredentials: true,
      summary: 'Complete an MFA login with a TOTP or recovery code',
      description:
        'The challenge is single use, expires after MFA_CHALLENGE_TTL and dies after 5 wrong codes; each wrong code also counts as a failed login, on the account lockout and on the failures of this client IP for this email (RATE_LIMIT_LOGIN_*). A TOTP code is accepted once (±1 time step).',
      tags: ['auth'],
      auth: 'none',
      body: mfaVerifyRequestSchema,
      responses: { 200: { description: 'Logged in with two factors (`aal: 2`).', schema: authResponseSchema } },
      errors: ['INVALID_MFA_TOKEN', 'INVALID_MFA_CODE', 'RATE_LIMITED'],
      handler: async ({ body, client }) => ({
        status: 200,
        body: toAuthResponse(await useCases.verifyMfa.execute({ mfaToken: body.mfa_token, code: body.code }, client)),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/refresh',
      operationId: 'refresh',
      issuesCredentials: true,
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
