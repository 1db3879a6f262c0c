import { normalizeEmail, type Actor, type RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { mailsLeft, queueLinkMail } from '../email/link-tokens';
import { auditEntry } from '../records';

export type RequestPasswordResetPorts = Pick<
  Ports,
  'uow' | 'repositories' | 'oneTimeSecrets' | 'ids' | 'clock' | 'mailFlows' | 'securityLog' | 'auditRetentionDays'
>;

/** What the request did; the transport answers the same 202 whatever it is. */
export type PasswordResetOutcome = 'queued' | 'no_account' | 'capped';

/**
 * POST /auth/password/forgot {email}: for an active account, a `password_reset` mail whose link
 * supersedes earlier ones; for an unknown address nothing at all. At most RATE_LIMIT_MAIL_REQUESTS
 * reset mails per window per account: beyond it the request is dropped silently (a mailbox is not
 * to be flooded through us, and a 429 would say the account exists).
 * The answer must not tell whether the account exists, in its body nor in its timing: the
 * transport answers 202 at once and runs this after the answer (docs/mail.md#password-recovery).
 */
export class RequestPasswordReset {
  constructor(private readonly deps: RequestPasswordResetPorts) {}

  async execute(input: { email: string }, ctx: RequestContext): Promise<PasswordResetOutcome> {
    const { deps } = this;
    const email = normalizeEmail(input.email);
    const found = await deps.repositories.users.findByEmail(email);
    if (!found) return 'no_account';
    return deps.uow.run(async (repositories) => {
      // Locked: concurrent requests must not both pass the cap.
      const user = await repositories.users.lockById(found.id);
      if (!user) return 'no_account';
      if ((await mailsLeft(deps, repositories, user.id, ['password_reset'])) <= 0) {
        deps.securityLog.record('password_reset_capped', { user_id: user.id, request_id: ctx.requestId, ip_address: ctx.ipAddress });
        return 'capped';
      }
      const now = deps.clock.now();
      await queueLinkMail(deps, repositories, {
        user,
        template: 'password_reset',
        recipient: user.email,
        ttlMs: deps.mailFlows.passwordResetTtlMs,
        at: now,
      });
      const actor: Actor = { type: 'anonymous', id: null, identifier: user.email };
      await repositories.audit.append(
        auditEntry(deps, ctx, { event: 'passwordResetRequested', userId: user.id, actor, at: now, severity: 'warning' }),
      );
      return 'queued';
    });
  }
}
