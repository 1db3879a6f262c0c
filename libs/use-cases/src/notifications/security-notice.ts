import { FREEZE_LINK_TTL_MS, type MailTemplate, type Repositories, type RequestContext, type User } from '@pandora/domain';
import type { Ports } from '../ports';

/** The security notices: a mail to the account's owner after a change they should know about (docs/accounts.md). */
export type SecurityNoticeTemplate = Extract<
  MailTemplate,
  'password_changed' | 'mfa_enabled' | 'mfa_disabled' | 'email_change_notice' | 'new_device_login'
>;

export type SecurityNoticePorts = Pick<Ports, 'ids' | 'clock' | 'oneTimeSecrets'>;

export interface SecurityNotice {
  user: Pick<User, 'id' | 'email' | 'firstName'>;
  template: SecurityNoticeTemplate;
  /** The request that made the change: its time, IP and user agent go into the mail. */
  ctx: RequestContext;
  /** Template-specific values (e.g. `how: 'reset'`, `by: 'admin'`, `new_email`). */
  details?: Record<string, string>;
  /** Another recipient than the account's address (the notice of an email change goes to the old one). */
  recipient?: string;
}

/**
 * Queues a security notice inside the caller's transaction, so the notice commits with the change it
 * reports. Every notice uses this one function: the values every notice shows are assembled here,
 * and each notice gets its own freeze link (an `account_freeze` token, valid FREEZE_LINK_TTL_MS):
 * "this wasn't me" is one click away in every one of them. The queue adds the anti-phishing code.
 */
export async function queueSecurityNotice(deps: SecurityNoticePorts, repositories: Repositories, notice: SecurityNotice): Promise<void> {
  const at = deps.clock.now();
  const freeze = deps.oneTimeSecrets.linkToken();
  await repositories.oneTimeTokens.issue({
    id: deps.ids.newId(),
    userId: notice.user.id,
    kind: 'account_freeze',
    tokenHash: freeze.hash,
    email: notice.user.email,
    createdAt: at,
    expiresAt: new Date(at.getTime() + FREEZE_LINK_TTL_MS),
  });
  await repositories.mail.enqueue({
    id: deps.ids.newId(),
    userId: notice.user.id,
    template: notice.template,
    recipient: notice.recipient ?? notice.user.email,
    data: {
      first_name: notice.user.firstName,
      at: at.toISOString(),
      ip_address: notice.ctx.ipAddress,
      user_agent: notice.ctx.userAgent,
      ...notice.details,
    },
    linkToken: freeze.token,
    createdAt: at,
  });
}
