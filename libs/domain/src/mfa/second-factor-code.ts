/**
 * What a user types where a second factor is asked for (`code`, `mfa_code`): a 6-digit TOTP code
 * or one of their recovery codes. Told apart by shape alone, before anything secret is touched.
 */
export const MFA_METHODS = ['totp', 'recovery_code'] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

/** Recovery codes per set (a new set replaces the old one). */
export const RECOVERY_CODE_COUNT = 10;
/**
 * 32 symbols without the look-alikes 0/O and 1/I: read off paper or a screen without doubt.
 * 10 of them are 50 bits — beyond online guessing (every wrong code counts on the account throttle),
 * and the stored form is a keyed hash, so a copy of the database alone cannot be searched offline.
 */
export const RECOVERY_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const RECOVERY_CODE_LENGTH = 10;
/** Wrong codes an MFA login challenge survives; the next attempt finds it dead. */
export const MFA_CHALLENGE_MAX_FAILURES = 5;

export type SecondFactorCode =
  | { method: 'totp'; code: string }
  /** `code` is the canonical form (upper case, no separators): what is hashed and compared. */
  | { method: 'recovery_code'; code: string }
  | { method: 'malformed' };

const TOTP_CODE = /^\d{6}$/;
const RECOVERY_SEPARATORS = /[\s-]/g;
const RECOVERY_CANONICAL = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{${RECOVERY_CODE_LENGTH}}$`);

/** Spaces and dashes are ignored and case does not matter in a recovery code, as people type it. */
export function parseSecondFactorCode(input: string): SecondFactorCode {
  const trimmed = input.trim();
  if (TOTP_CODE.test(trimmed)) return { method: 'totp', code: trimmed };
  const canonical = trimmed.replace(RECOVERY_SEPARATORS, '').toUpperCase();
  if (RECOVERY_CANONICAL.test(canonical)) return { method: 'recovery_code', code: canonical };
  return { method: 'malformed' };
}

/** How a recovery code is shown to its owner: two groups of five (`ABCDE-23456`). */
export function formatRecoveryCode(canonical: string): string {
  return `${canonical.slice(0, 5)}-${canonical.slice(5)}`;
}
