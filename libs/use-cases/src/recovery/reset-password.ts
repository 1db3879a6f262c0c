import { AppError } from '@pandora/errors';
import { assertPasswordPolicy, type Actor, type Repositories, type RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { withAccountAttempt, type AccountAttempt } from '../auth/account-attempt';
import { consumeLinkToken, linkTokenHashOf } from '../email/link-tokens';
import { assertSecondFactorCodeGiven, requireSecondFactor } from '../mfa/second-factor';
import { queueSecurityNotice } from '../notifications/security-notice';
import { auditEntry, domainEvent } from '../records';
import { announceRevokedSessions } from '../sessions/end-sessions';

export type ResetPasswordPorts = Pick<
  Ports,
  | 'uow'
  | 'repositories'
  | 'hasher'
  | 'principals'
  | 'loginThrottle'
  | 'oneTimeSecrets'
  | 'totp'
  | 'secretBox'
  | 'clock'
  | 'ids'
  | 'metrics'
  | 'securityLog'
  | 'auditRetentionDays'
>;

export interface ResetPasswordInput {
  token: string;
  newPassword: string;
  mfaCode?: string;
}

/**
 * POST /auth/password/reset {token, new_password, mfa_code?}: the link of a `password_reset` mail
 * sets a new password. A weak password (422), a missing or wrong second factor (401) leave the
 * link usable: nothing is used until everything was accepted. Success, in one transaction: the new
 * hash, the address counted as verified (the mailbox was proved), every session revoked (so every
 * refresh token dies with it), the other links of the account dead, a `password_changed` notice,
 * the audit row and `user.password.reset`. Then the login throttle of the address is cleared: the
 * owner is back, and an attacker's failures must not keep them out.
 * A reset never lowers MFA: an account with TOTP on needs `mfa_code` too, counted on the account
 * throttle like a login (someone holding the mailbox must not guess codes forever), and keeps MFA on.
 */
export class ResetPassword {
  constructor(private readonly deps: ResetPasswordPorts) {}

  async execute(input: ResetPasswordInput, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const live = await deps.repositories.oneTimeTokens.findLive(linkTokenHashOf(deps, input.token), 'password_reset', deps.clock.now());
    const user = live && (await deps.repositories.users.findById(live.userId));
    if (!live || !user || user.email !== live.email) throw new AppError('INVALID_OR_EXPIRED_TOKEN');
    assertPasswordPolicy(input.newPassword, user.email);
    assertSecondFactorCodeGiven(deps, user, input.mfaCode);
    const passwordHash = await deps.hasher.hash(input.newPassword);

    const reset = (attempt: AccountAttempt | null) =>
      deps.uow.run((repositories) => this.apply(repositories, input, passwordHash, attempt, ctx));
    // Only a second factor is guessed here (the token is 256 random bits): without MFA there is no
    // attempt to count, and a locked account (someone guessing its password) can still be recovered.
    const revoked = user.mfaEnabled
      ? await withAccountAttempt(deps, { email: user.email, userId: user.id, mfaEnabled: true }, ctx, reset)
      : await reset(null);
    deps.principals.invalidate(revoked);
    await deps.loginThrottle.clear(user.email);
  }

  private async apply(
    repositories: Repositories,
    input: ResetPasswordInput,
    passwordHash: string,
    attempt: AccountAttempt | null,
    ctx: RequestContext,
  ): Promise<string[]> {
    const { deps } = this;
    const { user } = await consumeLinkToken(deps, repositories, input.token, 'password_reset', { expectAccountEmail: true });
    // Read under the lock: MFA switched on meanwhile is what counts (MFA_REQUIRED, the link stays usable).
    if ((await requireSecondFactor(deps, repositories, user, input.mfaCode, ctx)) !== null) attempt?.secondFactorProved();
    const now = deps.clock.now();
    await repositories.users.update(user.id, { passwordHash, securityChangedAt: now, emailVerifiedAt: user.emailVerifiedAt ?? now }, now);
    const revoked = await repositories.sessions.revokeAllForUser(user.id, 'password_reset', now);
    // Every other link of the account dies with the old password.
    await repositories.oneTimeTokens.revokeAll(user.id, now);
    const actor: Actor = { type: 'user', id: user.id, identifier: user.email };
    await repositories.audit.append(
      auditEntry(deps, ctx, {
        event: 'passwordReset',
        userId: user.id,
        actor,
        at: now,
        severity: 'warning',
        isSensitive: true,
        metadata: { revoked_sessions: revoked.length, second_factor: user.mfaEnabled },
      }),
    );
    await repositories.outbox.append(
      domainEvent(deps, ctx, actor, { type: 'user.password.reset', userId: user.id, at: now, payload: { email: user.email } }),
    );
    await announceRevokedSessions(deps, repositories, ctx, actor, {
      userId: user.id,
      sessionIds: revoked,
      reason: 'password_reset',
      at: now,
    });
    await queueSecurityNotice(deps, repositories, { user, template: 'password_changed', ctx, details: { how: 'reset' } });
    return revoked;
  }
}
