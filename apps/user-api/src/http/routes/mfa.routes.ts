import type { Principal } from '@pandora/domain';
import type { UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { mfaStatusSchema, recoveryCodesSchema, totpSetupSchema } from '../schemas/dto.schemas';
import {
  mfaDisableRequestSchema,
  recoveryCodesRequestSchema,
  totpConfirmRequestSchema,
  totpSetupRequestSchema,
} from '../schemas/request.schemas';

/** The caller's second factor: /api/v1/users/me/mfa… (README, "Two-factor authentication"). */
export function mfaRoutes(useCases: UseCases): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  const guessCounted = 'A wrong password or code counts as a failed login for the account lockout.';
  return [
    route({
      method: 'get',
      path: '/api/v1/users/me/mfa',
      operationId: 'getMfaStatus',
      summary: 'Whether TOTP is on, and how many recovery codes are left',
      tags: ['mfa'],
      auth: 'user',
      responses: { 200: { description: 'The second factor of the account.', schema: mfaStatusSchema } },
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal }) => {
        const status = await useCases.getMfaStatus.execute(principal);
        return { status: 200, body: { totp_enabled: status.totpEnabled, recovery_codes_remaining: status.recoveryCodesRemaining } };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/users/me/mfa/totp/setup',
      operationId: 'setUpTotp',
      summary: 'Start TOTP enrolment: a new secret to load into an authenticator app',
      description: `TOTP stays off until a code from the secret is confirmed; calling this again replaces the pending secret. ${guessCounted}`,
      tags: ['mfa'],
      auth: 'user',
      body: totpSetupRequestSchema,
      responses: { 200: { description: 'The secret (SHA-1, 6 digits, 30 s) and its otpauth:// URL.', schema: totpSetupSchema } },
      errors: ['INVALID_CREDENTIALS', 'MFA_ALREADY_ENABLED', 'RATE_LIMITED', 'USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => {
        const setup = await useCases.startTotpSetup.execute(principal, { password: body.password }, client);
        return { status: 200, body: { secret: setup.secret, otpauth_url: setup.otpauthUrl } };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/users/me/mfa/totp/confirm',
      operationId: 'confirmTotp',
      summary: 'Turn TOTP on with a code from the new secret (answers ten recovery codes)',
      description: `Every other session of the account is revoked. ${guessCounted}`,
      tags: ['mfa'],
      auth: 'user',
      body: totpConfirmRequestSchema,
      responses: { 200: { description: 'TOTP is on; the recovery codes are shown only now.', schema: recoveryCodesSchema } },
      errors: ['INVALID_MFA_CODE', 'MFA_SETUP_REQUIRED', 'MFA_ALREADY_ENABLED', 'RATE_LIMITED', 'USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => {
        const { recoveryCodes } = await useCases.confirmTotpSetup.execute(principal, { code: body.code }, client);
        return { status: 200, body: { recovery_codes: recoveryCodes } };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/users/me/mfa/recovery-codes',
      operationId: 'regenerateRecoveryCodes',
      summary: 'Replace the recovery codes (the old set stops working)',
      description: guessCounted,
      tags: ['mfa'],
      auth: 'user',
      body: recoveryCodesRequestSchema,
      responses: { 200: { description: 'Ten new recovery codes, shown only now.', schema: recoveryCodesSchema } },
      errors: ['INVALID_MFA_CODE', 'MFA_SETUP_REQUIRED', 'RATE_LIMITED', 'USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => {
        const { recoveryCodes } = await useCases.regenerateRecoveryCodes.execute(principal, { code: body.code }, client);
        return { status: 200, body: { recovery_codes: recoveryCodes } };
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/users/me/mfa',
      operationId: 'disableMfa',
      summary: 'Turn two-factor authentication off (password and a code)',
      description: guessCounted,
      tags: ['mfa'],
      auth: 'user',
      body: mfaDisableRequestSchema,
      responses: { 204: { description: 'TOTP is off; the secret and the recovery codes are deleted.' } },
      errors: ['INVALID_CREDENTIALS', 'INVALID_MFA_CODE', 'MFA_SETUP_REQUIRED', 'RATE_LIMITED', 'USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => {
        await useCases.disableMfa.execute(principal, { password: body.password, code: body.code }, client);
        return { status: 204 };
      },
    }),
  ];
}
