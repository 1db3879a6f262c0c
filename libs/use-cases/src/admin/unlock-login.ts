import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import { auditEntry } from '../records';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';

export type UnlockLoginPorts = Pick<Ports, 'uow' | 'repositories' | 'loginThrottle' | 'clock' | 'ids' | 'auditRetentionDays'>;

/** POST /admin/users/:id/unlock: clears failed-login counting and any lock on the user's email. */
export class UnlockLogin {
  constructor(private readonly deps: UnlockLoginPorts) {}

  async execute(input: { userId: string; actor: Actor; actorSessionId?: string | null }, ctx: RequestContext): Promise<void> {
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
          actor: input.actor,
          at: now,
          sessionId: input.actorSessionId ?? null,
          metadata: { was_locked_until: lockedUntil ? lockedUntil.toISOString() : null },
        }),
      ),
    );
  }
}

/** When a user's login lock ends (null: not locked), for the admin view of users. */
export class GetLoginLocks {
  constructor(private readonly deps: Pick<Ports, 'loginThrottle'>) {}

  async execute(emails: string[]): Promise<Map<string, Date | null>> {
    const entries = await Promise.all(
      emails.map(async (email) => [email, await this.deps.loginThrottle.lockedUntil(email).catch(() => null)] as const),
    );
    return new Map(entries);
  }
}
