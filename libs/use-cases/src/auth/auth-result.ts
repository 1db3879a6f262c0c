import { passwordAuthentication, type Authentication, type Session } from '@pandora/domain';
import type { User } from '@pandora/domain';
import type { Repositories } from '@pandora/domain';
import type { RequestContext } from '@pandora/domain';
import type { UseCaseDeps } from '../use-case-deps';

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
}

/**
 * Starts a session with its first refresh token (inside the caller's transaction). `authentication`
 * is how the user proved who they are (a password by default); the session keeps it for its life.
 */
export async function openSession(
  deps: Pick<UseCaseDeps, 'ids' | 'refreshTokens' | 'settings'>,
  repositories: Repositories,
  userId: string,
  ctx: RequestContext,
  now: Date,
  authentication: Authentication = passwordAuthentication(now),
): Promise<OpenedSession> {
  const { refreshTokenTtlMs, sessionAbsoluteTtlMs } = deps.settings.auth;
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
  return { session, refreshToken: refresh.token };
}

/** Signs the access token for a committed session; its amr/aal/auth_time are the session's (refreshes keep them). */
export async function completeAuth(
  deps: Pick<UseCaseDeps, 'accessTokens' | 'clock'>,
  user: User,
  opened: OpenedSession,
): Promise<AuthResult> {
  const { session } = opened;
  const access = await deps.accessTokens.issue({
    userId: user.id,
    email: user.email,
    role: user.role,
    sessionId: session.id,
    authentication: { amr: session.amr, aal: session.aal, authTime: session.authTime },
  });
  const refreshTokenExpiresIn = Math.max(0, Math.floor((opened.session.expiresAt.getTime() - deps.clock.now().getTime()) / 1000));
  return {
    user,
    session: opened.session,
    accessToken: access.token,
    accessTokenExpiresIn: access.expiresInSeconds,
    refreshToken: opened.refreshToken,
    refreshTokenExpiresIn,
  };
}
