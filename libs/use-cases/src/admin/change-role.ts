import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import type { Role } from '@pandora/domain';
import type { User } from '@pandora/domain';
import { auditEntry, domainEvent } from '../records';
import { announceRevokedSessions } from '../sessions/end-sessions';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';

export type ChangeRolePorts = Pick<Ports, 'uow' | 'principals' | 'clock' | 'ids' | 'auditRetentionDays'>;

/**
 * Promotes or demotes a user. Every session of the user is revoked, so access tokens carrying the
 * old role stop working at once. Administrators cannot change their own role (the last admin can
 * never lock everyone out). Setting the current role again is a no-op.
 */
export class ChangeRole {
  constructor(private readonly deps: ChangeRolePorts) {}

  async execute(input: { userId: string; role: Role; actor: Actor; actorSessionId?: string | null }, ctx: RequestContext): Promise<User> {
    const { deps } = this;
    if (input.actor.id === input.userId) {
      throw new AppError('FORBIDDEN', 'Administrators cannot change their own role; ask another administrator.');
    }
    const now = deps.clock.now();
    const { user, revoked } = await deps.uow.run(async (repositories) => {
      const before = await repositories.users.lockById(input.userId);
      if (!before) throw new AppError('USER_NOT_FOUND');
      if (before.role === input.role) return { user: before, revoked: [] as string[] };

      const after = await repositories.users.update(before.id, { role: input.role }, now);
      const revoked = await repositories.sessions.revokeAllForUser(before.id, 'role_changed', now);
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'roleChanged',
          userId: before.id,
          actor: input.actor,
          at: now,
          severity: 'warning',
          sessionId: input.actorSessionId ?? null,
          previousState: { role: before.role },
          newState: { role: after.role },
          metadata: { revoked_sessions: revoked.length },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, input.actor, {
          type: 'user.role.changed',
          userId: before.id,
          at: now,
          payload: { email: after.email, role: after.role, old_role: before.role },
        }),
      );
      await announceRevokedSessions(deps, repositories, ctx, input.actor, {
        userId: before.id,
        sessionIds: revoked,
        reason: 'role_changed',
        at: now,
      });
      return { user: after, revoked };
    });
    deps.principals.invalidate(revoked);
    return user;
  }
}
