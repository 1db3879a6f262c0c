import type { MailTemplate, Repositories, RequestContext, User } from '@pandora/domain';
import type { Ports } from '../ports';

/** The security notices: a mail to the account's owner after a change they should know about (docs/mail.md). */
export type SecurityNoticeTemplate = Extract<
  MailTemplate,
  'password_changed' | 'mfa_enabled' | 'mfa_disabled' | 'email_change_notice' | 'new_device_login'
>;

export type SecurityNoticePorts = Pick<Ports, 'ids' | 'clock'>;

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
 * reports. Every notice uses this one function: the values every notice shows are assembled here.
 */
export async function queueSecurityNotice(deps: SecurityNoticePorts, repositories: Repositories, notice: SecurityNotice): Promise<void> {
  const at = deps.clock.now();
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
    linkToken: null,
    createdAt: at,
  });
}
