import type { Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { endSessions } from './end-sessions';

export type LogOutPorts = Pick<Ports, 'uow' | 'refreshTokens' | 'principals' | 'clock' | 'ids' | 'auditRetentionDays'>;

/**
 * POST /users/me/logout. Ends the session of the given refresh token when it is one of the
 * caller's, otherwise the caller's current session. Idempotent: an unknown, foreign or already
 * revoked refresh token changes nothing and is not reported (no oracle for other users' tokens).
 */
export class LogOut {
  constructor(private readonly deps: LogOutPorts) {}

  async execute(principal: Principal, input: { refreshToken?: string }, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const now = deps.clock.now();
    const revoked = await deps.uow.run(async (repositories) => {
      let sessionId: string | null = principal.sessionId;
      if (input.refreshToken !== undefined) {
        const hash = deps.refreshTokens.hash(input.refreshToken);
        const found = hash ? await repositories.sessions.findRefreshTokenForUpdate(hash) : null;
        sessionId = found && found.session.userId === principal.userId ? found.session.id : null;
      }
      if (!sessionId) return [];
      return endSessions(
        deps,
        repositories,
        ctx,
        {
          userId: principal.userId,
          sessionIds: [sessionId],
          reason: 'logout',
          audit: 'loggedOut',
          actor: actorOf(principal, 'user'),
          actorSessionId: principal.sessionId,
        },
        now,
      );
    });
    deps.principals.invalidate(revoked);
  }
}
