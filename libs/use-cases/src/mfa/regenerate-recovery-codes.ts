import { AppError } from '@pandora/errors';
import type { Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { auditEntry } from '../records';
import { withAccountAttempt } from '../auth/account-attempt';
import { issueRecoveryCodes } from './recovery-codes';
import { requireSecondFactor } from './second-factor';

export type RegenerateRecoveryCodesPorts = Pick<
  Ports,
  | 'uow'
  | 'repositories'
  | 'loginThrottle'
  | 'totp'
  | 'secretBox'
  | 'oneTimeSecrets'
  | 'clock'
  | 'ids'
  | 'metrics'
  | 'securityLog'
  | 'auditRetentionDays'
>;

/** POST /users/me/mfa/recovery-codes {code}: a new set of ten; the old set stops working. */
export class RegenerateRecoveryCodes {
  constructor(private readonly deps: RegenerateRecoveryCodesPorts) {}

  async execute(principal: Principal, input: { code: string }, ctx: RequestContext): Promise<{ recoveryCodes: string[] }> {
    const { deps } = this;
    const current = await deps.repositories.users.findById(principal.userId);
    if (!current) throw new AppError('USER_NOT_FOUND');
    if (!current.mfaEnabled) throw new AppError('MFA_SETUP_REQUIRED', 'Two-factor authentication is not enabled.');

    const recoveryCodes = await withAccountAttempt(deps, { email: current.email, userId: current.id, mfaEnabled: true }, ctx, (attempt) =>
      deps.uow.run(async (repositories) => {
        const now = deps.clock.now();
        const user = await repositories.users.lockById(principal.userId);
        if (!user) throw new AppError('USER_NOT_FOUND');
        if (!user.mfaEnabled) throw new AppError('MFA_SETUP_REQUIRED', 'Two-factor authentication is not enabled.');
        const method = await requireSecondFactor(deps, repositories, user, input.code, ctx);
        attempt.secondFactorProved();
        const codes = await issueRecoveryCodes(deps, repositories, user.id, now);
        const actor = actorOf(principal, 'user');
        await repositories.audit.append(
          auditEntry(deps, ctx, {
            event: 'mfaRecoveryCodesRegenerated',
            userId: user.id,
            actor,
            at: now,
            sessionId: principal.sessionId,
            isSensitive: true,
            metadata: { second_factor: method, recovery_codes_issued: codes.length },
          }),
        );
        return codes;
      }),
    );
    return { recoveryCodes };
  }
}
