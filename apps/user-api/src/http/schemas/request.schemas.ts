import { EMAIL_MAX_LENGTH, emailSchema, kycStatusSchema, personNameSchema } from '@pandora/domain';
import { z } from 'zod';

/**
 * Request bodies of the public API (docs/api.md#strict-input). Objects are strict: an unknown field (`role`, `kyc_status`, `id`…)
 * is a 400, never silently ignored. The password policy is the domain's (422 WEAK_PASSWORD), so
 * passwords are only required to be strings here.
 */
const password = z.string().meta({ format: 'password' });
const refreshToken = z.string().min(1).max(512);

export const registerRequestSchema = z
  .strictObject({ email: emailSchema, password, first_name: personNameSchema, last_name: personNameSchema })
  .meta({ id: 'RegisterRequest' });

// Login takes any printable string up to 254 characters: accounts created by the original service
// must still log in even where today's stricter email rule would refuse them at registration.
// Control characters are refused (PostgreSQL cannot store NUL, and the value lands in audit rows).
const loginEmail = z
  .string()
  .trim()
  .min(1)
  .max(EMAIL_MAX_LENGTH)
  .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters');

export const loginRequestSchema = z.strictObject({ email: loginEmail, password }).meta({ id: 'LoginRequest' });

export const refreshRequestSchema = z.strictObject({ refresh_token: refreshToken }).meta({ id: 'RefreshRequest' });

export const profilePatchSchema = z
  .strictObject({ first_name: personNameSchema.optional(), last_name: personNameSchema.optional() })
  .refine((body) => body.first_name !== undefined || body.last_name !== undefined, { message: 'Provide first_name, last_name or both.' })
  .meta({ id: 'ProfilePatch' });

export const profilePutSchema = z
  .strictObject({ first_name: personNameSchema, last_name: personNameSchema })
  .meta({ id: 'ProfileReplace' });

export const kycSubmitSchema = z.strictObject({ kyc_status: kycStatusSchema }).meta({ id: 'KycStatusChange' });

/**
 * A second factor as people type it: a 6-digit TOTP code or a recovery code (`ABCDE-23456`, any case,
 * dashes and spaces ignored). Its exact shape is judged by the use case (wrong → 401 INVALID_MFA_CODE),
 * so a malformed code costs an attempt like a wrong one and tells nothing more.
 */
const mfaCode = z
  .string()
  .min(1)
  .max(64)
  .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters')
  .meta({ description: 'A 6-digit TOTP code, or one of the recovery codes.', example: '123456' });

export const passwordChangeSchema = z
  .strictObject({
    current_password: z.string().min(1),
    new_password: password,
    mfa_code: mfaCode.optional().meta({ description: 'Required when two-factor authentication is on: a TOTP or recovery code.' }),
  })
  .meta({ id: 'PasswordChange' });

export const totpSetupRequestSchema = z
  .strictObject({ password: z.string().min(1).meta({ format: 'password' }) })
  .meta({ id: 'TotpSetupRequest' });

export const totpConfirmRequestSchema = z
  .strictObject({ code: mfaCode.meta({ description: 'The 6-digit code the authenticator app shows for the new secret.' }) })
  .meta({ id: 'TotpConfirmRequest' });

export const recoveryCodesRequestSchema = z.strictObject({ code: mfaCode }).meta({ id: 'RecoveryCodesRequest' });

export const mfaDisableRequestSchema = z
  .strictObject({ password: z.string().min(1).meta({ format: 'password' }), code: mfaCode })
  .meta({ id: 'MfaDisableRequest' });

export const mfaVerifyRequestSchema = z
  .strictObject({ mfa_token: z.string().min(1).max(512).meta({ description: 'From the login answer.' }), code: mfaCode })
  .meta({ id: 'MfaVerifyRequest' });

/** The token of a mailed link, as the link page posts it; any other shape is a dead link (400 INVALID_OR_EXPIRED_TOKEN). */
const linkToken = z
  .string()
  .min(1)
  .max(512)
  .meta({ description: 'The `token` parameter of the link in the mail.', example: 'q3Jx9kX0cM1W7yZs5p2uVvA8bT4nR6eLfGhIjKlMnOo' });

export const linkTokenRequestSchema = z.strictObject({ token: linkToken }).meta({ id: 'LinkTokenRequest' });

export const passwordForgotRequestSchema = z.strictObject({ email: emailSchema }).meta({ id: 'PasswordForgotRequest' });

export const passwordResetRequestSchema = z
  .strictObject({
    token: linkToken,
    new_password: password,
    mfa_code: mfaCode.optional().meta({ description: 'Required when two-factor authentication is on: a TOTP or recovery code.' }),
  })
  .meta({ id: 'PasswordResetRequest' });

export const emailChangeRequestSchema = z
  .strictObject({
    new_email: emailSchema,
    password: z.string().min(1).meta({ format: 'password' }),
    mfa_code: mfaCode.optional().meta({ description: 'Required when two-factor authentication is on: a TOTP or recovery code.' }),
  })
  .meta({ id: 'EmailChangeRequest' });

export const logoutRequestSchema = z.strictObject({ refresh_token: refreshToken.optional() }).meta({ id: 'LogoutRequest' });

export const sessionIdParamsSchema = z.strictObject({ id: z.uuid('must be a UUID') });
