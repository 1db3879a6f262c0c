/**
 * One-time tokens of the mail flows (docs/mail.md): ≥ 256 random bits, stored only as a hash,
 * single use (an atomic conditional UPDATE), and a newer token of the same kind for the same user
 * supersedes the older ones.
 */

export const ONE_TIME_TOKEN_KINDS = ['email_verification', 'password_reset', 'email_change', 'account_freeze'] as const;
export type OneTimeTokenKind = (typeof ONE_TIME_TOKEN_KINDS)[number];

/**
 * Freeze links are the exception to "newest wins": every security notice carries its own, and the
 * owner may click the link of any notice still in their inbox (docs/accounts.md, "Security notices
 * and the freeze switch"). They are neither superseded by newer freeze tokens nor killed by the
 * password and email changes that kill the other kinds — the change may be the attacker's.
 */
export function isSupersededByNewer(kind: OneTimeTokenKind): boolean {
  return kind !== 'account_freeze';
}

/** What `revokeAll` kills when no kinds are named: every kind but the freeze links. */
export const ONE_TIME_TOKEN_KINDS_REVOKED_BY_DEFAULT: readonly OneTimeTokenKind[] = ONE_TIME_TOKEN_KINDS.filter(isSupersededByNewer);

export interface OneTimeToken {
  id: string;
  userId: string;
  kind: OneTimeTokenKind;
  /** The address the token was issued for (for an email change: the new address). */
  email: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface NewOneTimeToken extends Omit<OneTimeToken, 'usedAt'> {
  tokenHash: string;
}

export interface OneTimeTokenRepository {
  /** Stores a new token and supersedes (deletes) the user's unused tokens of the same kind (freeze tokens excepted). */
  issue(token: NewOneTimeToken): Promise<void>;
  /** The live token (unused, unexpired at `at`) with this hash and kind, without using it. */
  findLive(tokenHash: string, kind: OneTimeTokenKind, at: Date): Promise<OneTimeToken | null>;
  /**
   * Uses the live token in one conditional UPDATE (`… WHERE used_at IS NULL AND expires_at > at`):
   * of two concurrent consumes exactly one gets the token, the other null. Inside a transaction that
   * later rolls back, the token stays usable.
   */
  consume(tokenHash: string, kind: OneTimeTokenKind, at: Date): Promise<OneTimeToken | null>;
  /**
   * Kills the user's unused tokens of the given kinds, or of every kind but `account_freeze` when none
   * are named (email change, deletion, password change); the freeze itself names every kind.
   */
  revokeAll(userId: string, at: Date, kinds?: readonly OneTimeTokenKind[]): Promise<number>;
}
