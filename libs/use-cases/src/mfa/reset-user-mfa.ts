import { AppError } from '@pandora/errors';
import type { Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { auditEntry, domainEvent } from '../records';
import { endSessions } from '../sessions/end-sessions';
import { queueSecurityNotice } from '../notifications/security-notice';

export type ResetUserMfaPorts = Pick<Ports, 'uow' | 'principals' | 'clock' | 'ids' | 'oneTimeSecrets' | 'auditRetentionDays'>;

/**
 * DELETE /admin/users/:id/mfa: support's way back in for someone who lost every factor. The factor
 * and recovery codes are deleted, `users.mfa_enabled` cleared and every session of the user revoked
 * (whoever holds them proved a factor that no longer exists), with the admin as actor of the audit
 * row and of `user.mfa.disabled {reason: "admin_reset"}`. Resetting a user without MFA changes
 * nothing. Administrators cannot reset their own factor here (DELETE /users/me/mfa asks for it): a
 * stolen admin session must not be able to strip the second factor of the account it stole.
 */
export class ResetUserMfa {
  constructor(private readonly deps: ResetUserMfaPorts) {}

  async execute(admin: Principal, input: { userId: string }, ctx: RequestContext): Promise<{ reset: boolean }> {
    const { deps } = this;
    if (admin.userId === input.userId) {
      throw new AppError('FORBIDDEN', 'Administrators turn off their own second factor with DELETE /api/v1/users/me/mfa.');
    }
    const actor = actorOf(admin, 'admin');
    const revoked = await deps.uow.run(async (repositories) => {
      const now = deps.clock.now();
      const user = await repositories.users.lockById(input.userId);
      if (!user) throw new AppError('USER_NOT_FOUND');
      if (!user.mfaEnabled) return null;
      await repositories.mfa.delete(user.id);
      await repositories.recoveryCodes.deleteAll(user.id);
      await repositories.users.update(user.id, { mfaEnabled: false, securityChangedAt: now }, now);
      const revoked = await endSessions(
        deps,
        repositories,
        ctx,
        {
          userId: user.id,
          sessionIds: 'all',
          reason: 'mfa_reset',
          audit: 'sessionRevoked',
          actor,
          actorSessionId: admin.sessionId,
        },
        now,
      );
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'mfaDisabled',
          userId: user.id,
          actor,
          at: now,
          sessionId: admin.sessionId,
          severity: 'warning',
          isSensitive: true,
          metadata: { reason: 'admin_reset', revoked_sessions: revoked.length },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, {
          type: 'user.mfa.disabled',
          userId: user.id,
          at: now,
          payload: { email: user.email, reason: 'admin_reset' },
        }),
      );
      await queueSecurityNotice(deps, repositories, { user, template: 'mfa_disabled', ctx, details: { by: 'admin' } });
      return revoked;
    });
    if (revoked === null) return { reset: false };
    deps.principals.invalidate(revoked);
    return { reset: true };
  }
}
