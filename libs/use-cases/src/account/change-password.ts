import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import { assertPasswordPolicy } from '@pandora/domain';
import { withAccountAttempt } from '../auth/account-attempt';
import { assertSecondFactorCodeGiven, requireSecondFactor } from '../mfa/second-factor';
import { auditEntry, domainEvent } from '../records';
import { announceRevokedSessions } from '../sessions/end-sessions';
import { queueSecurityNotice } from '../notifications/security-notice';
import type { Principal, RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';

export type ChangePasswordPorts = Pick<
  Ports,
  | 'uow'
  | 'repositories'
  | 'hasher'
  | 'principals'
  | 'loginThrottle'
  | 'totp'
  | 'secretBox'
  | 'clock'
  | 'ids'
  | 'oneTimeSecrets'
  | 'metrics'
  | 'securityLog'
  | 'auditRetentionDays'
>;

/**
 * POST /users/me/password. The current password must be proven (a stolen access token alone
 * cannot take the account over) and, for an account with TOTP on, a second factor (`mfaCode`); both
 * are one attempt on the account throttle, so wrong guesses lock the account like failed logins.
 * The new password's policy and a missing code are judged before the current password is, so no
 * answer tells a right current password from a wrong one.
 * Every other session is then revoked, the caller's own survives.
 */
export class ChangePassword {
  constructor(private readonly deps: ChangePasswordPorts) {}

  async execute(
    principal: Principal,
    input: { currentPassword: string; newPassword: string; mfaCode?: string },
    ctx: RequestContext,
  ): Promise<void> {
    const { deps } = this;
    const credentials = await deps.repositories.users.findCredentialsById(principal.userId);
    if (!credentials) throw new AppError('USER_NOT_FOUND');
    const { user } = credentials;
    const actor: Actor = { type: 'user', id: user.id, identifier: user.email };

    const revoked = await withAccountAttempt(
      deps,
      { email: user.email, userId: user.id, mfaEnabled: user.mfaEnabled, passwordHash: credentials.passwordHash },
      ctx,
      async (attempt) => {
        // Everything that can refuse the request without the current password is judged first, so
        // a right and a wrong current password get the same answer (docs/security.md#password-guessing).
        assertPasswordPolicy(input.newPassword, user.email);
        assertSecondFactorCodeGiven(deps, user, input.mfaCode);
        await attempt.requirePassword(input.currentPassword, async () => {
          const now = deps.clock.now();
          await deps.uow.run((repositories) =>
            repositories.audit.append(
              auditEntry(deps, ctx, {
                event: 'passwordChanged',
                userId: user.id,
                actor,
                at: now,
                sessionId: principal.sessionId,
                severity: 'warning',
                status: 'failure',
                failureReason: 'invalid_current_password',
              }),
            ),
          );
        });
        const passwordHash = await deps.hasher.hash(input.newPassword);
        const now = deps.clock.now();

        return deps.uow.run(async (repositories) => {
          // Read again under the row lock: MFA switched on or off meanwhile is what counts.
          const current = await repositories.users.lockById(user.id);
          if (!current) throw new AppError('USER_NOT_FOUND');
          if (await requireSecondFactor(deps, repositories, current, input.mfaCode, ctx)) attempt.secondFactorProved();
          await repositories.users.update(user.id, { passwordHash, securityChangedAt: now }, now);
          // A reset link mailed before the change must not undo it.
          await repositories.oneTimeTokens.revokeAll(user.id, now, ['password_reset']);
          const revoked = await repositories.sessions.revokeAllForUser(user.id, 'password_changed', now, {
            exceptSessionId: principal.sessionId,
          });
          await repositories.audit.append(
            auditEntry(deps, ctx, {
              event: 'passwordChanged',
              userId: user.id,
              actor,
              at: now,
              sessionId: principal.sessionId,
              isSensitive: true,
              metadata: { revoked_sessions: revoked.length },
            }),
          );
          await repositories.outbox.append(
            domainEvent(deps, ctx, actor, { type: 'user.password.changed', userId: user.id, at: now, payload: { email: user.email } }),
          );
          await announceRevokedSessions(deps, repositories, ctx, actor, {
            userId: user.id,
            sessionIds: revoked,
            reason: 'password_changed',
            at: now,
          });
          await queueSecurityNotice(deps, repositories, { user: current, template: 'password_changed', ctx, details: { how: 'change' } });
          return revoked;
        });
      },
    );
    deps.principals.invalidate(revoked);
  }
}
