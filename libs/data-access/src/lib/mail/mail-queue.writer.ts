import type { MailQueue, QueuedMail } from '@pandora/domain';
import type { Queryable } from '../sql/database';
import { mailMessages } from '../tables/mail-messages';

/** Queues mail inside the caller's transaction; the courier (event-relay) delivers it after commit. */
export class PgMailQueue implements MailQueue {
  constructor(private readonly db: Queryable) {}

  async enqueue(mail: QueuedMail): Promise<void> {
    const insert = mailMessages.insert({
      id: mail.id,
      userId: mail.userId,
      template: mail.template,
      recipient: mail.recipient,
      data: mail.data,
      linkToken: mail.linkToken,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: mail.createdAt,
      createdAt: mail.createdAt,
    });
    await this.db.query(insert.text, insert.values);
  }
}
