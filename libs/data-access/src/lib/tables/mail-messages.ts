import type { MailData, MailTemplate } from '@pandora/domain';
import { col, defineTable, type RowOf } from '../sql/table';

export type MailStatus = 'pending' | 'sent' | 'abandoned';

/** `mail_messages`: the courier's queue and delivery record; `link_token` is scrubbed once delivered or abandoned. */
export const mailMessages = defineTable('mail_messages', {
  id: col.uuid('id'),
  userId: col.nullable(col.uuid('user_id')),
  template: col.text<MailTemplate>('template'),
  recipient: col.text('recipient'),
  data: col.jsonb<MailData>('data'),
  linkToken: col.nullable(col.text('link_token')),
  status: col.text<MailStatus>('status'),
  attempts: col.int('attempts'),
  nextAttemptAt: col.timestamptz('next_attempt_at'),
  lastError: col.nullable(col.text('last_error')),
  createdAt: col.timestamptz('created_at'),
  sentAt: col.nullable(col.timestamptz('sent_at')),
  abandonedAt: col.nullable(col.timestamptz('abandoned_at')),
});

export type MailMessageRow = RowOf<typeof mailMessages.columns>;
