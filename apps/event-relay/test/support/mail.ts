import { randomUUID } from 'node:crypto';
import { PgMailQueue } from '@pandora/data-access';
import type { MailData, MailTemplate } from '@pandora/domain';
import { withPgClient } from '@pandora/testing';

export interface QueuedTestMail {
  id: string;
  recipient: string;
  token: string | null;
}

/** Queues a message the way a use case does (PgMailQueue), committed at once. */
export async function queueMail(
  databaseUrl: string,
  options: { template?: MailTemplate; recipient?: string; data?: MailData; token?: string | null } = {},
): Promise<QueuedTestMail> {
  const id = randomUUID();
  const recipient = options.recipient ?? `courier-${id.slice(0, 8)}@example.com`;
  const token = options.token === undefined ? `tok-${randomUUID()}` : options.token;
  await withPgClient(databaseUrl, (client) =>
    new PgMailQueue(client).enqueue({
      id,
      userId: null,
      template: options.template ?? 'verify_email',
      recipient,
      data: options.data ?? { first_name: 'Ada' },
      linkToken: token,
      createdAt: new Date(),
    }),
  );
  return { id, recipient, token };
}

export interface MailRow {
  id: string;
  status: 'pending' | 'sent' | 'abandoned';
  attempts: number;
  linkToken: string | null;
  lastError: string | null;
  sentAt: Date | null;
  abandonedAt: Date | null;
}

export async function mailRow(databaseUrl: string, id: string): Promise<MailRow> {
  return withPgClient(databaseUrl, async (client) => {
    const { rows } = await client.query<MailRow>(
      `SELECT id, status, attempts, link_token AS "linkToken", last_error AS "lastError", sent_at AS "sentAt", abandoned_at AS "abandonedAt"
         FROM mail_messages WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw new Error(`no mail_messages row ${id}`);
    return rows[0];
  });
}
