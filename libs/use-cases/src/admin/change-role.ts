import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import type { Principal } from '@pandora/domain';
import type { Role } from '@pandora/domain';
import type { User } from '@pandora/domain';
import { actorOf } from '../actors';
import { auditEntry, domainEvent } from '../records';
import { announceRevokedSessions } from '../sessions/end-sessions';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { withLoginLock, type AdminUser, type AdminUserViewPorts } from './admin-user';

export type ChangeRolePorts = Pick<Ports, 'uow' | 'principals' | 'clock' | 'ids' | 'auditRetentionDays'>;

/** PATCH/PUT /admin/users/:id/role, by the signed-in administrator; answers the admin view. */
export class ChangeRole {
  constructor(private readonly deps: ChangeRolePorts & AdminUserViewPorts) {}

  async execute(admin: Principal, input: { userId: string; role: Role }, ctx: RequestContext): Promise<AdminUser> {
    const user = await changeRole(
      this.deps,
      { userId: input.userId, role: input.role, actor: actorOf(admin, 'admin'), actorSessionId: admin.sessionId },
      ctx,
    );
    return withLoginLock(this.deps, user);
  }
}

/**
 * Promotes or demotes a user (the admin API, and `admin:create` promoting an account). Every session
 * of the user is revoked, so access tokens carrying the old role stop working at once.
 * Administrators cannot change their own role (the last admin can never lock everyone out).
 * Setting the current role again is a no-op.
 */
export async function changeRole(
  deps: ChangeRolePorts,
  input: { userId: string; role: Role; actor: Actor; actorSessionId: string | null },
  ctx: RequestContext,
): Promise<User> {
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
        sessionId: input.actorSessionId,
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
