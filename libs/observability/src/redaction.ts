/**
 * Scrubs secrets and personal data from anything that is about to be logged. Applied to every log
 * line by the logger's format, so a careless `logger.info('…', { body })` cannot leak a password.
 *  - values under secret-looking keys are replaced wholesale;
 *  - JWTs, refresh tokens, Argon2 hashes and bearer credentials are cut out of any string;
 *  - email addresses are masked to their first character and domain.
 */
const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|authorization|cookie|hash|private[_-]?key|api[_-]?key|credential|signature/i;
// Secret-looking names whose values are not secrets (refresh_tokens: audit-cleanup-worker's row counts).
const ALLOWED_KEYS = new Set(['token_type', 'password_rehashed', 'hash_duration_seconds', 'refresh_tokens']);

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[REDACTED_JWT]'],
  [/\brt_[A-Za-z0-9_-]{43}\b/g, '[REDACTED_REFRESH_TOKEN]'],
  [/\$argon2(id|i|d)\$[^\s"']+/g, '[REDACTED_HASH]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  [/(postgres(?:ql)?|rediss?):\/\/([^:/@\s]*):[^@\s]+@/gi, '$1://$2:***@'],
];
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
/**
 * Every pattern above needs one of these to match (a JWT "eyJ", "rt_", "$argon2", the scheme word,
 * or the "@" of an email or URL credentials): most strings of a log line (ids, routes, methods)
 * have none and are returned after one scan instead of six.
 */
const MIGHT_CONTAIN_SECRET = /@|eyJ|rt_|\$argon2|bearer|basic/i;

export const REDACTED = '[REDACTED]';

export function maskEmail(email: string): string {
  return email.replace(EMAIL, '$1***@$2');
}

export function redactString(value: string): string {
  if (!MIGHT_CONTAIN_SECRET.test(value)) return value;
  let result = value;
  for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  return result.replace(EMAIL, '$1***@$2');
}

/**
 * Whether a key's value is replaced wholesale. Keys are few and repeat on every line (field names
 * of the code), so each decision is remembered; a bounded number, since nested objects may bring
 * keys from outside.
 */
const secretKeyDecisions = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 10_000;

export function isSecretKey(key: string): boolean {
  let secret = secretKeyDecisions.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key) && !ALLOWED_KEYS.has(key);
    if (secretKeyDecisions.size < MAX_REMEMBERED_KEYS) secretKeyDecisions.set(key, secret);
  }
  return secret;
}

export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[TRUNCATED]';
  if (seen.has(value)) return '[CIRCULAR]';
  seen.add(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message), stack: value.stack ? redactString(value.stack) : undefined };
  }
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => redact(item, depth + 1, seen));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = isSecretKey(key) ? REDACTED : redact(item, depth + 1, seen);
  }
  return result;
}
