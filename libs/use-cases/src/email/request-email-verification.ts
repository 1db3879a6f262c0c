import { AppError } from '@pandora/errors';
import type { Actor, Principal, RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { auditEntry } from '../records';
import { mailCapReached, mailsLeft, queueVerificationMail } from './link-tokens';

export type RequestEmailVerificationPorts = Pick<Ports, 'uow' | 'oneTimeSecrets' | 'ids' | 'clock' | 'mailFlows' | 'auditRetentionDays'>;

/**
 * POST /users/me/email/verification: a new `verify_email` mail, whose link supersedes every earlier
 * one. 409 EMAIL_ALREADY_VERIFIED for a verified address; at most RATE_LIMIT_MAIL_REQUESTS mails per
 * window per account (the one registration sent counts), then 429.
 */
export class RequestEmailVerification {
  constructor(private readonly deps: RequestEmailVerificationPorts) {}

  async execute(principal: Principal, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    await deps.uow.run(async (repositories) => {
      // Locked: two requests at once must not both pass the cap.
      const user = await repositories.users.lockById(principal.userId);
      if (!user) throw new AppError('USER_NOT_FOUND');
      if (user.emailVerifiedAt) throw new AppError('EMAIL_ALREADY_VERIFIED');
      if ((await mailsLeft(deps, repositories, user.id, ['verify_email'])) <= 0) throw mailCapReached(deps);
      const now = deps.clock.now();
      await queueVerificationMail(deps, repositories, user, now);
      const actor: Actor = { type: 'user', id: user.id, identifier: user.email };
      await repositories.audit.append(
        auditEntry(deps, ctx, { event: 'emailVerificationRequested', userId: user.id, actor, at: now, sessionId: principal.sessionId }),
      );
    });
  }
}
