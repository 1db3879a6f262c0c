import { eventually } from '@pandora/testing';
import { sql } from './mfa';

/** A message as the flows queued it in `mail_messages` (the courier delivers it later). */
export interface QueuedMessage {
  id: string;
  user_id: string | null;
  template: string;
  recipient: string;
  data: Record<string, unknown>;
  link_token: string | null;
  created_at: Date;
}

/** Every queued message to `recipient` (oldest first), of one template or all. */
export function queuedMails(dbUrl: string, recipient: string, template?: string): Promise<QueuedMessage[]> {
  return template
    ? sql<QueuedMessage & Record<string, unknown>>(
        dbUrl,
        'SELECT * FROM mail_messages WHERE recipient = $1 AND template = $2 ORDER BY created_at, id',
        [recipient, template],
      )
    : sql<QueuedMessage & Record<string, unknown>>(dbUrl, 'SELECT * FROM mail_messages WHERE recipient = $1 ORDER BY created_at, id', [
        recipient,
      ]);
}

/**
 * The link token of the newest `template` mail to `recipient`, waiting for the `count`-th such mail
 * (mails of the password recovery are queued after the answer).
 */
export async function linkTokenOf(dbUrl: string, recipient: string, template: string, count = 1): Promise<string> {
  const mails = await eventually(async () => {
    const found = await queuedMails(dbUrl, recipient, template);
    return found.length >= count ? found : undefined;
  }, `${count} ${template} mail(s) to ${recipient}`);
  const token = mails.at(-1)?.link_token;
  if (!token) throw new Error(`the ${template} mail to ${recipient} has no link token`);
  return token;
}
