import { mailMessages, type MailMessageRow } from '@pandora/data-access';
import type { TableRows } from '@pandora/data-access/testing';
import type request from 'supertest';
import { bearer, type RegisteredUser } from './fixtures';

/** The security notices: the mails that carry a freeze link (docs/accounts.md). */
export const NOTICE_TEMPLATES = ['password_changed', 'mfa_enabled', 'mfa_disabled', 'email_change_notice', 'new_device_login'] as const;

/** The mail queued for a user so far, oldest first (the rows the courier delivers). */
export function queuedMail(rows: TableRows, userId: string): Promise<MailMessageRow[]> {
  return rows.find(mailMessages, { userId }, { orderBy: 'createdAt' });
}

/** The notices queued for a user, oldest first. */
export async function queuedNotices(rows: TableRows, userId: string): Promise<MailMessageRow[]> {
  return (await queuedMail(rows, userId)).filter((mail) => (NOTICE_TEMPLATES as readonly string[]).includes(mail.template));
}

/** The token of the freeze link in the latest notice queued for the user (before the courier scrubs it). */
export async function latestFreezeLink(rows: TableRows, userId: string): Promise<string> {
  const notice = (await queuedNotices(rows, userId)).at(-1);
  if (!notice?.linkToken) throw new Error('no notice with a freeze link was queued');
  return notice.linkToken;
}

/**
 * A security notice for `user` (a password change to `newPassword`) and the token of its freeze link,
 * read from the queued message before the courier scrubs it. The user's password is now `newPassword`.
 */
export async function noticeWithFreezeLink(
  http: () => request.Agent,
  rows: TableRows,
  user: RegisteredUser,
  newPassword = `${user.password} anew`,
): Promise<{ token: string; password: string }> {
  const changed = await http()
    .post('/api/v1/users/me/password')
    .set(bearer(user.accessToken))
    .send({ current_password: user.password, new_password: newPassword });
  if (changed.status !== 204) throw new Error(`password change failed: ${changed.status} ${JSON.stringify(changed.body)}`);
  user.password = newPassword;
  return { token: await latestFreezeLink(rows, user.id), password: newPassword };
}
