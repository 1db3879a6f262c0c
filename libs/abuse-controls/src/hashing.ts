import { createHash } from 'node:crypto';

/** Redis never holds client IPs or emails in clear: keys carry a digest of them. */
export function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}
