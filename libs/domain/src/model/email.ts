import { z } from 'zod';

export const EMAIL_MAX_LENGTH = 254;
const LOCAL_PART_MAX_LENGTH = 64;

/** Emails are compared and stored trimmed and lower-cased (case-insensitive uniqueness, docs/accounts.md#field-rules). */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function emailLocalPart(email: string): string {
  return email.slice(0, email.lastIndexOf('@'));
}

/** A deliverable address in the common RFC 5321/5322 subset (no quoted local parts, no IP literals). */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX_LENGTH, `must be at most ${EMAIL_MAX_LENGTH} characters`)
  .pipe(z.email('must be a valid email address'))
  .refine((email) => emailLocalPart(email).length <= LOCAL_PART_MAX_LENGTH, 'the part before @ must be at most 64 characters');

/** What audit rows and logs hold instead of a login identifier that is not an email address. */
export const INVALID_IDENTIFIER = 'invalid-identifier';

/**
 * A login identifier as it may be kept (docs/security.md#what-the-records-keep): the normalised email when it
 * is a syntactically valid address, else the fixed INVALID_IDENTIFIER. People type passwords into
 * the email field; such a string must never reach the audit trail (kept for years, undeletable)
 * or a log line.
 */
export function recordableIdentifier(email: string): string {
  return emailSchema.safeParse(email).success ? normalizeEmail(email) : INVALID_IDENTIFIER;
}
