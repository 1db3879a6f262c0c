import type { UserApiConfig } from '@pandora/config';
import type { Principal } from '@pandora/domain';
import type { UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { z } from 'zod';
import type { BackgroundWork } from '../background-work';
import {
  emailChangeRequestSchema,
  linkTokenRequestSchema,
  passwordForgotRequestSchema,
  passwordResetRequestSchema,
} from '../schemas/request.schemas';

const accepted = z.strictObject({}).meta({ id: 'Accepted', description: 'Always an empty object.' });
const deadLink = 'An unknown, used, expired or superseded token is 400 INVALID_OR_EXPIRED_TOKEN.';

/**
 * The flows that go through a mailed link (docs/mail.md): email verification, password recovery
 * and email change. The links open the small pages of link-pages.ts, which POST the token here.
 */
export function mailFlowRoutes(
  useCases: UseCases,
  limits: UserApiConfig['rateLimits'],
  background: BackgroundWork,
): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  return [
    route({
      method: 'post',
      path: '/api/v1/auth/email/verify',
      operationId: 'verifyEmail',
      summary: 'Prove the account’s address with the token of a verification mail',
      description: `The account's \`email_verified\` becomes true. ${deadLink}`,
      tags: ['email'],
      auth: 'none',
      body: linkTokenRequestSchema,
      responses: { 204: { description: 'Verified.' } },
      errors: ['INVALID_OR_EXPIRED_TOKEN'],
      handler: async ({ body, client }) => {
        await useCases.verifyEmail.execute({ token: body.token }, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/users/me/email/verification',
      operationId: 'requestEmailVerification',
      summary: 'Send a new verification mail (earlier links stop working)',
      description: 'At most RATE_LIMIT_MAIL_REQUESTS mails per RATE_LIMIT_MAIL_WINDOW per account, the one sent at registration included.',
      tags: ['email'],
      auth: 'user',
      responses: { 202: { description: 'The mail is queued.', schema: accepted } },
      errors: ['EMAIL_ALREADY_VERIFIED', 'RATE_LIMITED', 'USER_NOT_FOUND'],
      handler: async ({ principal, client }) => {
        await useCases.requestEmailVerification.execute(principal, client);
        return { status: 202, body: {} };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/password/forgot',
      operationId: 'forgotPassword',
      summary: 'Mail a password-reset link to the account with this address, if there is one',
      description:
        'Always the same 202 at once, whether or not an account has the address: the address is looked up after the answer. An unknown address gets no mail; one address gets at most RATE_LIMIT_MAIL_REQUESTS reset mails per RATE_LIMIT_MAIL_WINDOW (further requests are dropped silently). Requests per client IP are limited by RATE_LIMIT_RECOVERY_REQUESTS per RATE_LIMIT_RECOVERY_WINDOW.',
      tags: ['email'],
      auth: 'none',
      body: passwordForgotRequestSchema,
      responses: { 202: { description: 'Accepted (the same answer for every address).', schema: accepted } },
      errors: ['RATE_LIMITED'],
      outageProof: true,
      rateLimit: ({ client }) => ({ name: 'recovery', subject: client.ipAddress ?? 'unknown', ...limits.recovery }),
      handler: ({ body, client }) => {
        background.run('password_reset_request', () => useCases.requestPasswordReset.execute({ email: body.email }, client));
        return { status: 202, body: {} };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/password/reset',
      operationId: 'resetPassword',
      summary: 'Set a new password with the token of a password-reset mail',
      description: `Every session of the account is revoked and its login lockout cleared. With two-factor authentication on, \`mfa_code\` is required too; two-factor authentication stays on. A weak password, a missing or wrong code leave the link usable. ${deadLink}`,
      tags: ['email'],
      auth: 'none',
      body: passwordResetRequestSchema,
      responses: { 204: { description: 'The password is changed.' } },
      errors: ['INVALID_OR_EXPIRED_TOKEN', 'WEAK_PASSWORD', 'MFA_REQUIRED', 'INVALID_MFA_CODE', 'RATE_LIMITED'],
      handler: async ({ body, client }) => {
        await useCases.resetPassword.execute(
          { token: body.token, newPassword: body.new_password, ...(body.mfa_code !== undefined ? { mfaCode: body.mfa_code } : {}) },
          client,
        );
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/users/me/email',
      operationId: 'requestEmailChange',
      summary: 'Change the address: a confirmation link goes to the new one, a notice to the current one',
      description:
        'Nothing changes until the link mailed to the new address is used. With two-factor authentication on, `mfa_code` is required too. A wrong password or code counts as a failed login for the account lockout. At most RATE_LIMIT_MAIL_REQUESTS requests per RATE_LIMIT_MAIL_WINDOW per account.',
      tags: ['email'],
      auth: 'user',
      body: emailChangeRequestSchema,
      responses: { 202: { description: 'The mails are queued.', schema: accepted } },
      errors: ['INVALID_CREDENTIALS', 'USER_ALREADY_EXISTS', 'MFA_REQUIRED', 'INVALID_MFA_CODE', 'RATE_LIMITED', 'USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => {
        await useCases.requestEmailChange.execute(
          principal,
          { newEmail: body.new_email, password: body.password, ...(body.mfa_code !== undefined ? { mfaCode: body.mfa_code } : {}) },
          client,
        );
        return { status: 202, body: {} };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/email/confirm',
      operationId: 'confirmEmailChange',
      summary: 'Make an email change with the token mailed to the new address',
      description: `The new address is verified. 409 USER_ALREADY_EXISTS when an active account took it meanwhile (the link stays usable). Every other mailed link of the account stops working. ${deadLink}`,
      tags: ['email'],
      auth: 'none',
      body: linkTokenRequestSchema,
      responses: { 204: { description: 'The address is changed.' } },
      errors: ['INVALID_OR_EXPIRED_TOKEN', 'USER_ALREADY_EXISTS'],
      handler: async ({ body, client }) => {
        await useCases.confirmEmailChange.execute({ token: body.token }, client);
        return { status: 204 };
      },
    }),
  ];
}
