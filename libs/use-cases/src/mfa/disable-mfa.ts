import { AppError } from '@pandora/errors';
import type { Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { auditEntry, domainEvent } from '../records';
import { withAccountAttempt } from '../auth/account-attempt';
import { requireSecondFactor } from './second-factor';
import { queueSecurityNotice } from '../notifications/security-notice';

export type DisableMfaPorts = Pick<
  Ports,
  | 'uow'
  | 'repositories'
  | 'hasher'
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
 * DELETE /users/me/mfa {password, code}: both factors, checked as one attempt on the login
 * throttle; then the secret, its replay guard and the recovery codes are deleted and
 * `users.mfa_enabled` cleared, with the audit row and `user.mfa.disabled {reason: "user"}`.
 */
export class DisableMfa {
  constructor(private readonly deps: DisableMfaPorts) {}

  async execute(principal: Principal, input: { password: string; code: string }, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const credentials = await deps.repositories.users.findCredentialsById(principal.userId);
    if (!credentials) throw new AppError('USER_NOT_FOUND');
    const { user: current } = credentials;

    const account = { email: current.email, userId: current.id, mfaEnabled: current.mfaEnabled, passwordHash: credentials.passwordHash };
    await withAccountAttempt(deps, account, ctx, async (attempt) => {
      // Before the password: the answer must not depend on whether the password was right.
      if (!current.mfaEnabled) throw new AppError('MFA_SETUP_REQUIRED', 'Two-factor authentication is not enabled.');
      await attempt.requirePassword(input.password);
      await deps.uow.run(async (repositories) => {
        const now = deps.clock.now();
        const user = await repositories.users.lockById(principal.userId);
        if (!user) throw new AppError('USER_NOT_FOUND');
        if (!user.mfaEnabled) throw new AppError('MFA_SETUP_REQUIRED', 'Two-factor authentication is not enabled.');
        const method = await requireSecondFactor(deps, repositories, user, input.code, ctx);
        attempt.secondFactorProved();
        await repositories.mfa.delete(user.id);
        await repositories.recoveryCodes.deleteAll(user.id);
        await repositories.users.update(user.id, { mfaEnabled: false, securityChangedAt: now }, now);
        const actor = actorOf(principal, 'user');
        await repositories.audit.append(
          auditEntry(deps, ctx, {
            event: 'mfaDisabled',
            userId: user.id,
            actor,
            at: now,
            sessionId: principal.sessionId,
            severity: 'warning',
            isSensitive: true,
            metadata: { reason: 'user', second_factor: method },
          }),
        );
        await repositories.outbox.append(
          domainEvent(deps, ctx, actor, {
            type: 'user.mfa.disabled',
            userId: user.id,
            at: now,
            payload: { email: user.email, reason: 'user' },
          }),
        );
        await queueSecurityNotice(deps, repositories, { user, template: 'mfa_disabled', ctx, details: { by: 'user' } });
      });
    });
  }
}
