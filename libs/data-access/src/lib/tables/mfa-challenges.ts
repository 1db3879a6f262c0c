import type { Role } from '@pandora/domain';
import { col, defineTable, type RowOf } from '../sql/table';

/** `mfa_challenges`: the second step of MFA logins; only the SHA-256 of the mfa_token is stored. */
export const mfaChallenges = defineTable('mfa_challenges', {
  id: col.uuid('id'),
  userId: col.uuid('user_id'),
  tokenHash: col.text('token_hash'),
  requiredRole: col.nullable(col.text<Role>('required_role')),
  failedAttempts: col.int('failed_attempts'),
  createdAt: col.timestamptz('created_at'),
  expiresAt: col.timestamptz('expires_at'),
  consumedAt: col.nullable(col.timestamptz('consumed_at')),
});

export type MfaChallengeRow = RowOf<typeof mfaChallenges.columns>;
