import { passwordAuthentication, type Authentication, type Session } from '@pandora/domain';
import type { User } from '@pandora/domain';
import type { Repositories } from '@pandora/domain';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';

/** What a successful register/login/refresh hands back to the transport. */
export interface AuthResult {
  user: User;
  session: Session;
  accessToken: string;
  accessTokenExpiresIn: number;
  refreshToken: string;
  refreshTokenExpiresIn: number;
}

export interface OpenedSession {
  session: Session;
  refreshToken: string;
  /** When the refresh token was issued (the transaction's clock reading). */
  issuedAt: Date;
}

/**
 * Starts a session with its first refresh token (inside the caller's transaction). `authentication`
 * is how the user proved who they are (a password by default); the session keeps it for its life.
 */
export async function openSession(
  deps: Pick<Ports, 'ids' | 'refreshTokens' | 'auth'>,
  repositories: Repositories,
  userId: string,
  ctx: RequestContext,
  now: Date,
  authentication: Authentication = passwordAuthentication(now),
): Promise<OpenedSession> {
  const { refreshTokenTtlMs, sessionAbsoluteTtlMs } = deps.auth;
  const absoluteExpiresAt = new Date(now.getTime() + sessionAbsoluteTtlMs);
  const expiresAt = new Date(Math.min(now.getTime() + refreshTokenTtlMs, absoluteExpiresAt.getTime()));
  const refresh = deps.refreshTokens.generate();
  const session = await repositories.sessions.create(
    {
      id: deps.ids.newId(),
      userId,
      ipAddress: ctx.ipAddress,
      userAgent: ctx.userAgent,
      createdAt: now,
      expiresAt,
      absoluteExpiresAt,
      ...authentication,
    },
    { id: deps.ids.newId(), tokenHash: refresh.hash, createdAt: now, expiresAt },
  );
  return { session, refreshToken: refresh.token, issuedAt: now };
}

/** Signs the access token for a committed session; its amr/aal/auth_time are the session's (refreshes keep them). */
export async function completeAuth(deps: Pick<Ports, 'accessTokens'>, user: User, opened: OpenedSession): Promise<AuthResult> {
  const { session } = opened;
  const access = await deps.accessTokens.issue({
    userId: user.id,
    email: user.email,
    role: user.role,
    sessionId: session.id,
    authentication: { amr: session.amr, aal: session.aal, authTime: session.authTime },
  });
  // The token's lifetime as issued — JWT_REFRESH_TOKEN_EXPIRY, or less when the session's absolute
  // lifetime ends sooner — rounded up; never "now minus the milliseconds this request took", which
  // reported 604799 for a 604800-second token (README, The public API).
  const refreshTokenExpiresIn = Math.max(0, Math.ceil((session.expiresAt.getTime() - opened.issuedAt.getTime()) / 1000));
  return {
    user,
    session: opened.session,
    accessToken: access.token,
    accessTokenExpiresIn: access.expiresInSeconds,
    refreshToken: opened.refreshToken,
    refreshTokenExpiresIn,
  };
}
