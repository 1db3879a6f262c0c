import { AppError } from '@pandora/errors';
import type { Principal } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Session } from '@pandora/domain';
import type { RequestContext } from '@pandora/domain';
import { endSessions } from '../sessions/end-sessions';
import type { Ports } from '../ports';

export type ListUserSessionsPorts = Pick<Ports, 'repositories' | 'clock'>;

/** Active sessions of any user (admin API); deleted users exist but have none. */
export class ListUserSessions {
  constructor(private readonly deps: ListUserSessionsPorts) {}

  async execute(userId: string): Promise<Session[]> {
    const user = await this.deps.repositories.users.findById(userId, { includeDeleted: true });
    if (!user) throw new AppError('USER_NOT_FOUND');
    return this.deps.repositories.sessions.listActive(userId, this.deps.clock.now());
  }
}

export type RevokeUserSessionsPorts = Pick<Ports, 'uow' | 'repositories' | 'principals' | 'clock' | 'ids' | 'auditRetentionDays'>;

/** Cuts every session of a user (admin API): their access tokens stop working at once. */
export class RevokeUserSessions {
  constructor(private readonly deps: RevokeUserSessionsPorts) {}

  async execute(admin: Principal, input: { userId: string }, ctx: RequestContext): Promise<string[]> {
    const { deps } = this;
    const user = await deps.repositories.users.findById(input.userId, { includeDeleted: true });
    if (!user) throw new AppError('USER_NOT_FOUND');
    const now = deps.clock.now();
    const revoked = await deps.uow.run((repositories) =>
      endSessions(
        deps,
        repositories,
        ctx,
        {
          userId: user.id,
          sessionIds: 'all',
          reason: 'admin_revoked',
          audit: 'sessionRevoked',
          actor: actorOf(admin, 'admin'),
          actorSessionId: admin.sessionId,
        },
        now,
      ),
    );
    deps.principals.invalidate(revoked);
    return revoked;
  }
}
