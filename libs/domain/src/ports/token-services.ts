import type { Authentication, AuthenticationLevel, AuthenticationMethod } from '../model/authentication';
import type { Role } from '../model/role';

export interface AccessTokenSubject {
  userId: string;
  email: string;
  role: Role;
  sessionId: string;
  /** The session's: becomes the `amr`, `aal` and `auth_time` claims. */
  authentication: Authentication;
}

/** The verified claims of an access token (docs/tokens.md#access-tokens). */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  email: string;
  role: Role;
  jti: string;
  iat: number;
  exp: number;
  /** Absent only from tokens issued before they existed (within one token lifetime of the upgrade). */
  amr?: AuthenticationMethod[];
  aal?: AuthenticationLevel;
  auth_time?: number;
}

export interface AccessTokenService {
  issue(subject: AccessTokenSubject): Promise<{ token: string; expiresInSeconds: number }>;
  /** Throws AppError INVALID_TOKEN or TOKEN_EXPIRED. */
  verify(token: string): Promise<AccessTokenClaims>;
}

export interface RefreshTokenService {
  /** A new opaque token (≥256 bits of randomness) and the hash that is stored instead of it. */
  generate(): { token: string; hash: string };
  /** The stored hash for a presented token, or null when it cannot be one of ours. */
  hash(token: string): string | null;
}
