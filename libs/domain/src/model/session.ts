import type { Authentication, AuthenticationLevel } from './authentication';
import type { Role } from './role';
import type { User } from './user';

export const SESSION_REVOCATION_REASONS = [
  'logout',
  'logout_all',
  'user_revoked',
  'password_changed',
  'password_reset',
  'account_deleted',
  'role_changed',
  'admin_revoked',
  'refresh_token_reuse',
  'mfa_enabled',
  'mfa_reset',
  'account_frozen',
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
  /** How the login behind the session was proved; a refresh keeps it (the access token's amr/aal/auth_time). */
  amr: Authentication['amr'];
  aal: AuthenticationLevel;
  authTime: Date;
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
  /** The session's authentication level: the admin API may require 2 (ADMIN_MFA_REQUIRED). */
  aal: AuthenticationLevel;
  sessionRevokedAt: Date | null;
  sessionAbsoluteExpiresAt: Date;
  userDeletedAt: Date | null;
}

/** The principal behind a session and its owner as read; null when either is missing or they do not belong together. */
export function principalOf(
  session: Pick<Session, 'id' | 'userId' | 'aal' | 'revokedAt' | 'absoluteExpiresAt'> | null,
  user: Pick<User, 'id' | 'email' | 'role' | 'deletedAt'> | null,
): SessionPrincipal | null {
  if (!session || !user || user.id !== session.userId) return null;
  return {
    sessionId: session.id,
    userId: session.userId,
    email: user.email,
    role: user.role,
    aal: session.aal,
    sessionRevokedAt: session.revokedAt,
    sessionAbsoluteExpiresAt: session.absoluteExpiresAt,
    userDeletedAt: user.deletedAt,
  };
}
