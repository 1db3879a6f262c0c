import { AppError } from '@pandora/errors';
import type { Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { endSessions } from './end-sessions';

export type RevokeOwnSessionPorts = Pick<Ports, 'uow' | 'repositories' | 'principals' | 'clock' | 'ids' | 'auditRetentionDays'>;

/** DELETE /users/me/sessions/:id — only the caller's own sessions; anyone else's is "not found". */
export class RevokeOwnSession {
  constructor(private readonly deps: RevokeOwnSessionPorts) {}

  async execute(principal: Principal, sessionId: string, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const session = await deps.repositories.sessions.findById(sessionId);
    if (!session || session.userId !== principal.userId) throw new AppError('NOT_FOUND', 'Session not found.');
    const now = deps.clock.now();
    const revoked = await deps.uow.run((repositories) =>
      endSessions(
        deps,
        repositories,
        ctx,
        {
          userId: principal.userId,
          sessionIds: [session.id],
          reason: 'user_revoked',
          audit: 'sessionRevoked',
          actor: actorOf(principal, 'user'),
          actorSessionId: principal.sessionId,
        },
        now,
      ),
    );
    deps.principals.invalidate(revoked);
  }
}
