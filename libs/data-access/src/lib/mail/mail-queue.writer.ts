import type { MailQueue, MailTemplate, QueuedMail } from '@pandora/domain';
import type { Queryable } from '../sql/database';
import { mailMessages } from '../tables/mail-messages';

// Read in the caller's transaction: the code in force when the change commits is the one the mail shows.
const ANTI_PHISHING_CODE = 'SELECT anti_phishing_code AS code FROM users WHERE id = $1::uuid';

/** Queues mail inside the caller's transaction; the courier (event-relay) delivers it after commit. */
export class PgMailQueue implements MailQueue {
  constructor(private readonly db: Queryable) {}

  async enqueue(mail: QueuedMail): Promise<void> {
    const insert = mailMessages.insert({
      id: mail.id,
      userId: mail.userId,
      template: mail.template,
      recipient: mail.recipient,
      data: await this.withAntiPhishingCode(mail),
      linkToken: mail.linkToken,
      status: 'pending',
      attempts: 0,
      // next_attempt_at is left to its default, the database's now(): the courier compares it with
      // the database clock, so a caller's clock that runs ahead (a test's injected clock, a skewed
      // host) cannot hold a mail back.
      createdAt: mail.createdAt,
    });
    await this.db.query(insert.text, insert.values);
  }

  private async withAntiPhishingCode(mail: QueuedMail): Promise<QueuedMail['data']> {
    if (mail.userId === null) return mail.data;
    const { rows } = await this.db.query<{ code: string | null }>(ANTI_PHISHING_CODE, [mail.userId]);
    const code = rows[0]?.code ?? null;
    return code === null ? mail.data : { ...mail.data, anti_phishing_code: code };
  }

  async countSince(userId: string, templates: readonly MailTemplate[], since: Date): Promise<number> {
    const { rows } = await this.db.query<{ total: number }>(
      'SELECT count(*)::int AS total FROM mail_messages WHERE user_id = $1::uuid AND template = ANY($2::text[]) AND created_at > $3::timestamptz',
      [userId, templates, since],
    );
    return rows[0]?.total ?? 0;
  }
}
