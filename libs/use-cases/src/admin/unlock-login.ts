import { AppError } from '@pandora/errors';
import type { Principal } from '@pandora/domain';
import { actorOf } from '../actors';
import { auditEntry } from '../records';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';

export type UnlockLoginPorts = Pick<Ports, 'uow' | 'repositories' | 'loginThrottle' | 'clock' | 'ids' | 'auditRetentionDays'>;

/** POST /admin/users/:id/unlock: clears failed-login counting and any lock on the user's email. */
export class UnlockLogin {
  constructor(private readonly deps: UnlockLoginPorts) {}

  async execute(admin: Principal, input: { userId: string }, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const user = await deps.repositories.users.findById(input.userId, { includeDeleted: true });
    if (!user) throw new AppError('USER_NOT_FOUND');
    const lockedUntil = await deps.loginThrottle.lockedUntil(user.email);
    await deps.loginThrottle.clear(user.email);
    const now = deps.clock.now();
    await deps.uow.run((repositories) =>
      repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'loginUnlocked',
          userId: user.id,
          actor: actorOf(admin, 'admin'),
          at: now,
          sessionId: admin.sessionId,
          metadata: { was_locked_until: lockedUntil ? lockedUntil.toISOString() : null },
        }),
      ),
    );
  }
}
