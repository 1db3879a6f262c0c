import { AppError } from '@pandora/errors';
import type { Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { auditEntry, domainEvent } from '../records';

export type UnfreezeAccountPorts = Pick<Ports, 'uow' | 'clock' | 'ids' | 'auditRetentionDays'>;

/**
 * POST /admin/users/:id/unfreeze: support lifts a freeze, after making sure the owner is who they say
 * (the runbook's business, not this code's). Logins work again; nothing that the freeze revoked comes
 * back. An account that is not frozen is left alone (204, no event).
 */
export class UnfreezeAccount {
  constructor(private readonly deps: UnfreezeAccountPorts) {}

  async execute(admin: Principal, input: { userId: string }, ctx: RequestContext): Promise<{ unfrozen: boolean }> {
    const { deps } = this;
    const actor = actorOf(admin, 'admin');
    return deps.uow.run(async (repositories) => {
      const now = deps.clock.now();
      const user = await repositories.users.lockById(input.userId);
      if (!user) throw new AppError('USER_NOT_FOUND');
      if (user.frozenAt === null) return { unfrozen: false };
      await repositories.users.update(user.id, { frozenAt: null }, now);
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'accountUnfrozen',
          userId: user.id,
          actor,
          at: now,
          sessionId: admin.sessionId,
          severity: 'warning',
          previousState: { frozen_at: user.frozenAt.toISOString() },
          newState: { frozen_at: null },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, { type: 'user.account.unfrozen', userId: user.id, at: now, payload: { email: user.email } }),
      );
      return { unfrozen: true };
    });
  }
}
