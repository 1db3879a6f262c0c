import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import { auditEntry, domainEvent, iso } from '../records';
import { announceRevokedSessions } from '../sessions/end-sessions';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';

export type DeleteUserPorts = Pick<Ports, 'uow' | 'principals' | 'clock' | 'ids' | 'auditRetentionDays'>;

/**
 * Soft-deletes an account and revokes all its sessions, for DELETE /users/me (actor: the user)
 * and the admin API (actor: the admin). The row stays for the audit trail; the email is free for
 * a new registration.
 */
export class DeleteUser {
  constructor(private readonly deps: DeleteUserPorts) {}

  async execute(input: { userId: string; actor: Actor; actorSessionId?: string | null }, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const now = deps.clock.now();
    const revoked = await deps.uow.run(async (repositories) => {
      const user = await repositories.users.lockById(input.userId);
      if (!user) throw new AppError('USER_NOT_FOUND');
      if (user.role === 'admin' && input.actor.id === user.id) {
        // The last administrator must never be able to lock everyone out.
        throw new AppError('FORBIDDEN', 'Administrators cannot delete their own account; ask another administrator to demote it first.');
      }
      const deleted = await repositories.users.softDelete(user.id, now);
      const revoked = await repositories.sessions.revokeAllForUser(user.id, 'account_deleted', now);
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'userDeleted',
          userId: user.id,
          actor: input.actor,
          at: now,
          sessionId: input.actorSessionId ?? null,
          previousState: { email: user.email, role: user.role, kyc_status: user.kycStatus, deleted_at: null },
          newState: { deleted_at: iso(now) },
          metadata: { revoked_sessions: revoked.length },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, input.actor, {
          type: 'user.deleted',
          userId: user.id,
          at: now,
          payload: { email: user.email, deleted_at: iso(deleted.deletedAt ?? now) },
        }),
      );
      await announceRevokedSessions(deps, repositories, ctx, input.actor, {
        userId: user.id,
        sessionIds: revoked,
        reason: 'account_deleted',
        at: now,
      });
      return revoked;
    });
    deps.principals.invalidate(revoked);
  }
}
