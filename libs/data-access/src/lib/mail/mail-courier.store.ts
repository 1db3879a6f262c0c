import type { Queryable } from '../sql/database';
import type { LeaderSession } from '../leader-session';
import { mailMessages, type MailMessageRow } from '../tables/mail-messages';

/** What the courier needs of a claimed message. `attempts` counts this attempt. */
export type ClaimedMail = Pick<
  MailMessageRow,
  'id' | 'userId' | 'template' | 'recipient' | 'data' | 'linkToken' | 'attempts' | 'createdAt'
>;

/** What a finished message's data keeps: not the anti-phishing code it showed (the user's, kept on the account). */
const SCRUB_DATA = `data = data - 'anti_phishing_code'`;

const CLAIMED_COLUMNS = mailMessages.select('m', ['id', 'userId', 'template', 'recipient', 'data', 'linkToken', 'attempts', 'createdAt']);

/**
 * The courier's queries, run on its leader session (docs/mail.md, "The courier"). Delivery is at
 * least once: a claim counts the attempt and pushes `next_attempt_at` past the time a send may take
 * (the claim's own lease), and commits before anything is sent. If the courier dies mid-send,
 * the message simply becomes due again when that claim runs out, and the next leader sends it.
 */
export class MailCourierStore {
  constructor(private readonly session: LeaderSession) {}

  /**
   * Claims up to `limit` due messages, oldest due first. `FOR UPDATE SKIP LOCKED` keeps two claimers
   * (which the lease already prevents) from ever taking one row twice, and the lease condition makes
   * sure only the leader's own session gets rows.
   */
  async claimDue(limit: number, claimForMs: number): Promise<ClaimedMail[]> {
    const lease = this.session.leaseHeld(3);
    const { rows } = await this.session.query<ClaimedMail>(
      `UPDATE mail_messages AS m
          SET attempts = m.attempts + 1, next_attempt_at = clock_timestamp() + $2::int * interval '1 millisecond'
         FROM (SELECT id FROM mail_messages
                WHERE status = 'pending' AND next_attempt_at <= clock_timestamp() AND ${lease.sql}
                ORDER BY next_attempt_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED) AS due
        WHERE m.id = due.id
       RETURNING ${CLAIMED_COLUMNS}`,
      [limit, Math.ceil(claimForMs), ...lease.values],
    );
    return rows;
  }

  /**
   * Delivered: the link's token is scrubbed (a sent mail keeps no live secret), and so is the copy of
   * the user's anti-phishing code the mail showed. False when it was no longer pending.
   */
  async markSent(id: string): Promise<boolean> {
    const { rowCount } = await this.session.query(
      `UPDATE mail_messages SET status = 'sent', sent_at = clock_timestamp(), link_token = NULL, last_error = NULL, ${SCRUB_DATA}
        WHERE id = $1 AND status = 'pending'`,
      [id],
    );
    return rowCount === 1;
  }

  /** Failed, with attempts left: due again after `retryInMs`. */
  async scheduleRetry(id: string, retryInMs: number, error: string): Promise<void> {
    await this.session.query(
      `UPDATE mail_messages SET next_attempt_at = clock_timestamp() + $2::int * interval '1 millisecond', last_error = left($3, 500)
        WHERE id = $1 AND status = 'pending'`,
      [id, Math.ceil(retryInMs), error],
    );
  }

  /** Failed for the last time: never tried again, and scrubbed like a sent one. */
  async abandon(id: string, error: string): Promise<void> {
    await this.session.query(
      `UPDATE mail_messages SET status = 'abandoned', abandoned_at = clock_timestamp(), link_token = NULL, last_error = left($2, 500), ${SCRUB_DATA}
        WHERE id = $1 AND status = 'pending'`,
      [id, error],
    );
  }
}

export interface MailQueueStats {
  pending: number;
  /** Seconds the longest-waiting due message has been due (0 when nothing is due). */
  oldestDueAgeSeconds: number;
}

/** For the queue gauges, read at scrape time from any connection (a pooler is fine). */
export async function mailQueueStats(db: Queryable): Promise<MailQueueStats> {
  const { rows } = await db.query<{ pending: string; oldest_due_age: number | null }>(
    `SELECT count(*) AS pending,
            EXTRACT(EPOCH FROM (clock_timestamp() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= clock_timestamp())))::float8 AS oldest_due_age
       FROM mail_messages WHERE status = 'pending'`,
  );
  const row = rows[0];
  return { pending: Number(row?.pending ?? 0), oldestDueAgeSeconds: Math.max(0, row?.oldest_due_age ?? 0) };
}
