import { z } from 'zod';

export const NAME_MAX_LENGTH = 100;

// Control characters, line/paragraph separators and bidirectional overrides: they make a name
// render differently from what it is (log forging, spoofed display names).
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/u;

/** A first or last name: trimmed, 1–100 characters (code points), printable. */
export const personNameSchema = z
  .string()
  .trim()
  .refine((name) => name.length > 0, 'must not be empty')
  .refine((name) => [...name].length <= NAME_MAX_LENGTH, `must be at most ${NAME_MAX_LENGTH} characters`)
  .refine((name) => !FORBIDDEN.test(name), 'must not contain control characters');
