import { AppError } from '@pandora/errors';
import { parseSecondFactorCode, type Principal, type RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { auditEntry, domainEvent } from '../records';
import { endSessions } from '../sessions/end-sessions';
import { withAccountAttempt } from '../auth/account-attempt';
import { issueRecoveryCodes } from './recovery-codes';
import { queueSecurityNotice } from '../notifications/security-notice';

export type ConfirmTotpSetupPorts = Pick<
  Ports,
  | 'uow'
  | 'repositories'
  | 'loginThrottle'
  | 'totp'
  | 'secretBox'
  | 'oneTimeSecrets'
  | 'principals'
  | 'clock'
  | 'ids'
  | 'metrics'
  | 'securityLog'
  | 'auditRetentionDays'
>;

/**
 * POST /users/me/mfa/totp/confirm {code}: a code from the pending secret turns TOTP on. In one
 * transaction: the code's time step is recorded (the enrolment code cannot be replayed at the next
 * login), the secret is confirmed, `users.mfa_enabled` is set, ten recovery codes replace any old
 * ones, the caller's other sessions are revoked (they were opened without the second factor), and
 * the audit row and `user.mfa.enabled` event are written.
 */
export class ConfirmTotpSetup {
  constructor(private readonly deps: ConfirmTotpSetupPorts) {}

  async execute(principal: Principal, input: { code: string }, ctx: RequestContext): Promise<{ recoveryCodes: string[] }> {
    const { deps } = this;
    const current = await deps.repositories.users.findById(principal.userId);
    if (!current) throw new AppError('USER_NOT_FOUND');

    const { recoveryCodes, revoked } = await withAccountAttempt(
      deps,
      { email: current.email, userId: current.id, mfaEnabled: current.mfaEnabled },
      ctx,
      () =>
        deps.uow.run(async (repositories) => {
          const now = deps.clock.now();
          const user = await repositories.users.lockById(principal.userId);
          if (!user) throw new AppError('USER_NOT_FOUND');
          if (user.mfaEnabled) throw new AppError('MFA_ALREADY_ENABLED');
          const mfa = await repositories.mfa.findForUpdate(user.id);
          if (!mfa?.pending) throw new AppError('MFA_SETUP_REQUIRED');

          const parsed = parseSecondFactorCode(input.code);
          const secret = deps.secretBox.open(mfa.pending, user.id);
          const match = parsed.method === 'totp' ? deps.totp.verify(secret, parsed.code) : null;
          const accepted = match !== null && (await repositories.mfa.advanceStep(user.id, match.step));
          deps.metrics.mfaVerification(accepted ? 'success' : match ? 'replayed' : 'invalid_code');
          if (!accepted) throw new AppError('INVALID_MFA_CODE');

          await repositories.mfa.confirm(
            user.id,
            deps.secretBox.isCurrent(mfa.pending) ? mfa.pending : deps.secretBox.seal(secret, user.id),
            now,
          );
          await repositories.users.update(user.id, { mfaEnabled: true, securityChangedAt: now }, now);
          const recoveryCodes = await issueRecoveryCodes(deps, repositories, user.id, now);

          const actor = actorOf(principal, 'user');
          const others = (await repositories.sessions.listActive(user.id, now))
            .map((session) => session.id)
            .filter((id) => id !== principal.sessionId);
          const revoked = await endSessions(
            deps,
            repositories,
            ctx,
            {
              userId: user.id,
              sessionIds: others,
              reason: 'mfa_enabled',
              audit: 'sessionRevoked',
              actor,
              actorSessionId: principal.sessionId,
            },
            now,
          );
          await repositories.audit.append(
            auditEntry(deps, ctx, {
              event: 'mfaEnabled',
              userId: user.id,
              actor,
              at: now,
              sessionId: principal.sessionId,
              isSensitive: true,
              metadata: { method: 'totp', recovery_codes_issued: recoveryCodes.length, revoked_sessions: revoked.length },
            }),
          );
          await repositories.outbox.append(
            domainEvent(deps, ctx, actor, { type: 'user.mfa.enabled', userId: user.id, at: now, payload: { email: user.email } }),
          );
          await queueSecurityNotice(deps, repositories, { user, template: 'mfa_enabled', ctx });
          return { recoveryCodes, revoked };
        }),
    );
    deps.principals.invalidate(revoked);
    return { recoveryCodes };
  }
}
