import { KYC_STATUSES, MFA_METHODS, ROLES, type Session, type User } from '@pandora/domain';
import { z } from 'zod';

/** Response shapes of the public API (docs/api.md#shapes). Used to document the API and, in tests, to check real answers. */
const timestamp = z.iso.datetime().meta({ example: '2026-01-02T03:04:05.678Z' });

export const userDtoSchema = z
  .object({
    id: z.uuid(),
    email: z.email(),
    first_name: z.string(),
    last_name: z.string(),
    role: z.enum(ROLES),
    kyc_status: z.enum(KYC_STATUSES),
    email_verified: z.boolean().meta({ description: 'The owner proved the current address (a verification, reset or email-change link).' }),
    mfa_enabled: z.boolean().meta({ description: 'Two-factor authentication (TOTP) is on.' }),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'User' });

export const authResponseSchema = z
  .object({
    access_token: z.string().meta({ description: 'JWT (ES256/EdDSA), 15 minutes.' }),
    refresh_token: z.string().meta({ description: 'Opaque; single use: every refresh rotates it.' }),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().meta({ description: 'Seconds until the access token expires.' }),
    refresh_expires_in: z.number().int().meta({
      description:
        'Lifetime of the refresh token in seconds, counted from when it was issued: JWT_REFRESH_TOKEN_EXPIRY (604800 by default), or less when the session ends sooner (its absolute lifetime), rounded up.',
    }),
    user: userDtoSchema,
  })
  .meta({ id: 'AuthResponse' });

export const mfaChallengeSchema = z
  .object({
    mfa_required: z.literal(true),
    mfa_token: z.string().meta({ description: 'Opaque, single use; send it with a code to the MFA verify route.' }),
    mfa_expires_in: z.number().int().meta({ description: 'Seconds the challenge stays valid (MFA_CHALLENGE_TTL).' }),
    methods: z.array(z.enum(MFA_METHODS)),
  })
  .meta({
    id: 'MfaChallenge',
    description: 'The password was right and the account has two-factor authentication: no session yet, complete the login with a code.',
  });

export const loginAnswerSchema = z.union([authResponseSchema, mfaChallengeSchema]).meta({ id: 'LoginAnswer' });

export const mfaStatusSchema = z
  .object({ totp_enabled: z.boolean(), recovery_codes_remaining: z.number().int() })
  .meta({ id: 'MfaStatus' });

export const totpSetupSchema = z
  .object({
    secret: z.string().meta({ description: 'Base32 TOTP secret (SHA-1, 6 digits, 30 s), for typing into an authenticator app.' }),
    otpauth_url: z.string().meta({ description: 'The same secret as an otpauth:// URL (show it as a QR code).' }),
  })
  .meta({ id: 'TotpSetup' });

export const recoveryCodesSchema = z
  .object({
    recovery_codes: z.array(z.string()).meta({ description: 'Ten single-use codes, shown only now: store them offline.' }),
  })
  .meta({ id: 'RecoveryCodes' });

export const sessionDtoSchema = z
  .object({
    id: z.uuid(),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    created_at: timestamp,
    last_used_at: timestamp,
    expires_at: timestamp,
    current: z.boolean().meta({ description: 'True for the session of the access token making this request.' }),
  })
  .meta({ id: 'Session' });

export const sessionListSchema = z.object({ sessions: z.array(sessionDtoSchema) }).meta({ id: 'SessionList' });

export type UserDto = z.infer<typeof userDtoSchema>;

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    role: user.role,
    kyc_status: user.kycStatus,
    email_verified: user.emailVerifiedAt !== null,
    mfa_enabled: user.mfaEnabled,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

export function toSessionDto(session: Session, currentSessionId: string) {
  return {
    id: session.id,
    ip_address: session.ipAddress,
    user_agent: session.userAgent,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    current: session.id === currentSessionId,
  };
}

export function toMfaChallengeDto(challenge: { mfaToken: string; expiresInSeconds: number; methods: readonly string[] }) {
  return {
    mfa_required: true as const,
    mfa_token: challenge.mfaToken,
    mfa_expires_in: challenge.expiresInSeconds,
    methods: [...challenge.methods],
  };
}

export function toAuthResponse(result: {
  user: User;
  accessToken: string;
  accessTokenExpiresIn: number;
  refreshToken: string;
  refreshTokenExpiresIn: number;
}) {
  return {
    access_token: result.accessToken,
    refresh_token: result.refreshToken,
    token_type: 'Bearer' as const,
    expires_in: result.accessTokenExpiresIn,
    refresh_expires_in: result.refreshTokenExpiresIn,
    user: toUserDto(result.user),
  };
}
