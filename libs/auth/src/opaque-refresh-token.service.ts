import { createHash, randomBytes } from 'node:crypto';
import type { RefreshTokenService } from '@pandora/domain';

/**
 * Refresh tokens are 256 random bits, base64url, with a recognisable prefix (secret scanners and
 * our log redaction spot it). Only SHA-256(token) is stored: a database leak yields no usable token.
 */
export const REFRESH_TOKEN_PREFIX = 'rt_';
const TOKEN_PATTERN = /^rt_[A-Za-z0-9_-]{43}$/;

export class OpaqueRefreshTokenService implements RefreshTokenService {
  generate(): { token: string; hash: string } {
    const token = `${REFRESH_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    return { token, hash: sha256(token) };
  }

  hash(token: string): string | null {
    return TOKEN_PATTERN.test(token) ? sha256(token) : null;
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
