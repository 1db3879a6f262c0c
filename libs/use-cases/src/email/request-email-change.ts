import { AppError } from '@pandora/errors';
import { normalizeEmail, type Actor, type Principal, type RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { withAccountAttempt } from '../auth/account-attempt';
import { assertSecondFactorCodeGiven, requireSecondFactor } from '../mfa/second-factor';
import { queueSecurityNotice } from '../notifications/security-notice';
import { auditEntry } from '../records';
import { mailCapReached, mailsLeft, queueLinkMail } from './link-tokens';

export type RequestEmailChangePorts = Pick<
  Ports,
  | 'uow'
  | 'repositories'
  | 'hasher'
  | 'loginThrottle'
  | 'oneTimeSecrets'
  | 'totp'
  | 'secretBox'
  | 'clock'
  | 'ids'
  | 'metrics'
  | 'securityLog'
  | 'mailFlows'
  | 'auditRetentionDays'
>;

export interface RequestEmailChangeInput {
  newEmail: string;
  password: string;
  mfaCode?: string;
}

/**
 * POST /users/me/email {new_email, password, mfa_code?}: nothing changes yet. The new address gets
 * an `email_change_confirm` mail whose link makes the change; the current address gets an
 * `email_change_notice` (someone with a stolen session learns nothing from it, the owner learns
 * everything). The password, and for an MFA account a second factor, are one attempt on the
 * account throttle; every refusal that does not need them (taken address, missing code, the
 * mail cap) is judged first, so no answer tells a right password from a wrong one.
 */
export class RequestEmailChange {
  constructor(private readonly deps: RequestEmailChangePorts) {}

  async execute(principal: Principal, input: RequestEmailChangeInput, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const credentials = await deps.repositories.users.findCredentialsById(principal.userId);
    if (!credentials) throw new AppError('USER_NOT_FOUND');
    const { user } = credentials;
    const newEmail = normalizeEmail(input.newEmail);
    if (newEmail === user.email) {
      throw AppError.invalidInput([{ field: 'new_email', message: 'is already the address of this account' }]);
    }

    await withAccountAttempt(
      deps,
      { email: user.email, userId: user.id, mfaEnabled: user.mfaEnabled, passwordHash: credentials.passwordHash },
      ctx,
      async (attempt) => {
        if (await deps.repositories.users.findByEmail(newEmail)) throw new AppError('USER_ALREADY_EXISTS');
        if ((await mailsLeft(deps, deps.repositories, user.id, ['email_change_confirm'])) <= 0) throw mailCapReached(deps);
        assertSecondFactorCodeGiven(deps, user, input.mfaCode);
        await attempt.requirePassword(input.password);
        await deps.uow.run(async (repositories) => {
          const current = await repositories.users.lockById(user.id);
          if (!current) throw new AppError('USER_NOT_FOUND');
          if (await requireSecondFactor(deps, repositories, current, input.mfaCode, ctx)) attempt.secondFactorProved();
          const now = deps.clock.now();
          await queueLinkMail(deps, repositories, {
            user: current,
            template: 'email_change_confirm',
            recipient: newEmail,
            ttlMs: deps.mailFlows.emailChangeTtlMs,
            at: now,
          });
          await queueSecurityNotice(deps, repositories, {
            user: current,
            template: 'email_change_notice',
            ctx,
            details: { new_email: newEmail },
          });
          const actor: Actor = { type: 'user', id: current.id, identifier: current.email };
          await repositories.audit.append(
            auditEntry(deps, ctx, {
              event: 'emailChangeRequested',
              userId: current.id,
              actor,
              at: now,
              sessionId: principal.sessionId,
              severity: 'warning',
              metadata: { new_email: newEmail },
            }),
          );
        });
      },
    );
  }
}
