import type { Role } from './role';

export const SESSION_REVOCATION_REASONS = [
  'logout',
  'logout_all',
  'user_revoked',
  'password_changed',
  'account_deleted',
  'role_changed',
  'admin_revoked',
  'refresh_token_reuse',
] as const;
export type SessionRevocationReason = (typeof SESSION_REVOCATION_REASONS)[number];

export interface Session {
  id: string;
  userId: string;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  /** When the current refresh token expires (never after absoluteExpiresAt). */
  expiresAt: Date;
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
}

export interface RefreshTokenRecord {
  id: string;
  sessionId: string;
  expiresAt: Date;
  rotatedAt: Date | null;
}

export function isSessionActive(session: Pick<Session, 'revokedAt' | 'expiresAt' | 'absoluteExpiresAt'>, now: Date): boolean {
  return session.revokedAt === null && session.expiresAt > now && session.absoluteExpiresAt > now;
}

/** What authenticating a request needs to know about the session behind an access token. */
export interface SessionPrincipal {
  sessionId: string;
  userId: string;
  email: string;
  role: Role;
  sessionRevokedAt: Date | null;
  sessionAbsoluteExpiresAt: Date;
  userDeletedAt: Date | null;
}
