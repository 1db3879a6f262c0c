import type { Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { endSessions } from './end-sessions';

export type LogOutEverywherePorts = Pick<Ports, 'uow' | 'principals' | 'clock' | 'ids' | 'auditRetentionDays'>;

/** POST /users/me/logout-all: every session of the caller, the current one included. */
export class LogOutEverywhere {
  constructor(private readonly deps: LogOutEverywherePorts) {}

  async execute(principal: Principal, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const now = deps.clock.now();
    const revoked = await deps.uow.run((repositories) =>
      endSessions(
        deps,
        repositories,
        ctx,
        {
          userId: principal.userId,
          sessionIds: 'all',
          reason: 'logout_all',
          audit: 'loggedOutEverywhere',
          actor: actorOf(principal, 'user'),
          actorSessionId: principal.sessionId,
        },
        now,
      ),
    );
    deps.principals.invalidate(revoked);
  }
}
