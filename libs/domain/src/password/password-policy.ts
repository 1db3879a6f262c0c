import { AppError } from '@pandora/errors';
import { emailLocalPart, normalizeEmail } from '../model/email';
import { isCommonPassword } from './common-passwords';

/**
 * NIST SP 800-63B / OWASP ASVS 6.2: length is what matters. 8–128 characters (Unicode code points,
 * never truncated), no composition rules, not a known-common password, not the account's own email.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordPolicyViolation = 'too_short' | 'too_long' | 'common' | 'contains_email' | 'invalid_characters';

const MESSAGES: Record<PasswordPolicyViolation, string> = {
  too_short: `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`,
  too_long: `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`,
  common: 'Password is too common; choose a less guessable one.',
  contains_email: 'Password must not be your email address.',
  invalid_characters: 'Password must not contain NUL characters.',
};

export function passwordPolicyViolation(password: string, email: string): PasswordPolicyViolation | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  // NUL is the one character other implementations (C strings) silently cut passwords at.
  if (password.includes('\u0000')) return 'invalid_characters';
  const lowered = password.toLowerCase();
  const normalizedEmail = normalizeEmail(email);
  if (lowered === normalizedEmail || lowered === emailLocalPart(normalizedEmail)) return 'contains_email';
  if (isCommonPassword(password)) return 'common';
  return null;
}

/** Throws WEAK_PASSWORD (422) with the reason when the password fails the policy. */
export function assertPasswordPolicy(password: string, email: string): void {
  const violation = passwordPolicyViolation(password, email);
  if (violation) throw new AppError('WEAK_PASSWORD', MESSAGES[violation]);
}
