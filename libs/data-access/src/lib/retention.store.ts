import type { RetentionKind, RetentionStore } from '@pandora/domain';
import type { Database } from './sql/database';
import type { Statement } from './sql/table';

export interface RetentionStoreOptions {
  /** How long one batch may wait for a row lock (a cascade into refresh_tokens) before giving up. */
  lockTimeoutMs?: number;
  /** Upper bound of one batch statement; a slower batch means CLEANUP_BATCH_SIZE is too large. */
  statementTimeoutMs?: number;
  /** Attempts of a batch that lost a deadlock or hit the lock timeout. */
  maxAttempts?: number;
}

/** Deadlock, lock_timeout, serialization failure: the batch did nothing and can simply run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '55P03', '40001']);

/**
 * The retention queries of audit-cleanup-worker. Every batch is one short transaction that picks at
 * most `limit` expired rows along the kind's index (`ORDER BY <indexed column> LIMIT n FOR UPDATE
 * SKIP LOCKED`, so it neither waits for nor blocks the API's row locks) and deletes exactly those,
 * re-checking the expiry condition in the DELETE itself. The audit_logs trigger refuses to delete a
 * retained row whatever this code does; this code never asks it to.
 *
 * Sessions have two ways to expire and an index for each: `expires_at` (the refresh expiry, never
 * later than `absolute_expires_at`, so it covers both lifetimes) and `revoked_at`. A batch drains
 * the first before the second, so each statement stays a plain index range scan.
 *
 * A session's delete cascades into all its refresh tokens: one per rotation, so thousands for a
 * long-lived session, and one batch of 5,000 such sessions could mean millions of rows and a
 * statement timeout on the same oldest sessions in every run. The use case therefore deletes the
 * `refresh_tokens` of the next session batch first, at most `limit` per transaction.
 */
export class PgRetentionStore implements RetentionStore {
  private readonly lockTimeoutMs: number;
  private readonly statementTimeoutMs: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly db: Database,
    options: RetentionStoreOptions = {},
  ) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? 2_000;
    this.statementTimeoutMs = options.statementTimeoutMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async now(): Promise<Date> {
    const { rows } = await this.db.query<{ now: Date }>('SELECT now() AS now');
    return (rows[0] as { now: Date }).now;
  }

  async countExpired(kind: RetentionKind, cutoff: Date): Promise<number> {
    const statement = countStatement(kind, cutoff);
    const { rows } = await this.db.query<{ count: string }>(statement.text, statement.values);
    return Number((rows[0] as { count: string }).count);
  }

  async deleteExpiredBatch(kind: RetentionKind, cutoff: Date, limit: number): Promise<number> {
    for (const statement of batchStatements(kind, cutoff, limit)) {
      const deleted = await this.inBatchTransaction(statement);
      if (deleted > 0) return deleted;
    }
    return 0;
  }

  /**
   * One batch = one transaction with bounded waits. Deleting a session cascades into its
   * refresh_tokens rows; a refresh racing for the same (long expired) session can deadlock with
   * that, and PostgreSQL then aborts one side: if it is this batch, it runs again.
   */
  private async inBatchTransaction(statement: Statement): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          await tx.query("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)", [
            `${this.lockTimeoutMs}ms`,
            `${this.statementTimeoutMs}ms`,
          ]);
          return (await tx.query(statement.text, statement.values)).rowCount ?? 0;
        });
      } catch (error) {
        if (attempt >= this.maxAttempts || !RETRYABLE_SQLSTATES.has(sqlState(error) ?? '')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.floor(Math.random() * 50)));
      }
    }
  }
}

/**
 * The statements of one batch of `kind`, tried in order until one deletes something (sessions: the
 * expired ones first, then the revoked ones). Exported for the EXPLAIN test that pins their plans.
 */
export function batchStatements(kind: RetentionKind, cutoff: Date, limit: number): Statement[] {
  switch (kind) {
    case 'audit_logs':
      return [
        {
          text: `
          DELETE FROM audit_logs
          WHERE id = ANY(ARRAY(
            SELECT id FROM audit_logs WHERE retention_until < $1::timestamptz
            ORDER BY retention_until LIMIT $2::int FOR UPDATE SKIP LOCKED))
            AND retention_until < $1::timestamptz`,
          values: [cutoff, limit],
        },
      ];
    case 'outbox_events':
      return [
        {
          text: `
          DELETE FROM outbox_events
          WHERE id = ANY(ARRAY(
            SELECT id FROM outbox_events WHERE published_at < $1::timestamptz
            ORDER BY published_at LIMIT $2::int FOR UPDATE SKIP LOCKED))
            AND published_at < $1::timestamptz`,
          values: [cutoff, limit],
        },
      ];
    case 'sessions':
      return [
        {
          text: `
          DELETE FROM sessions
          WHERE id = ANY(ARRAY(
            SELECT id FROM sessions WHERE expires_at < $1::timestamptz
            ORDER BY expires_at LIMIT $2::int FOR UPDATE SKIP LOCKED))
            AND expires_at < $1::timestamptz`,
          values: [cutoff, limit],
        },
        {
          text: `
          DELETE FROM sessions
          WHERE id = ANY(ARRAY(
            SELECT id FROM sessions WHERE revoked_at < $1::timestamptz
            ORDER BY revoked_at LIMIT $2::int FOR UPDATE SKIP LOCKED))
            AND revoked_at < $1::timestamptz`,
          values: [cutoff, limit],
        },
      ];
    case 'refresh_tokens':
      // The tokens of exactly the sessions the next session batch picks (the revoked ones only once
      // no expired one is left, as there), found through refresh_tokens_session_id_idx. No re-check
      // in the DELETE: an expired or long-revoked session never comes back to life.
      return [
        {
          text: `
          DELETE FROM refresh_tokens
          WHERE id = ANY(ARRAY(
            SELECT id FROM refresh_tokens
            WHERE session_id = ANY(ARRAY(
              (SELECT id FROM sessions WHERE expires_at < $1::timestamptz ORDER BY expires_at LIMIT $2::int)
              UNION ALL
              (SELECT id FROM sessions
               WHERE revoked_at < $1::timestamptz AND NOT EXISTS (SELECT 1 FROM sessions WHERE expires_at < $1::timestamptz)
               ORDER BY revoked_at LIMIT $2::int)))
            LIMIT $2::int FOR UPDATE SKIP LOCKED))`,
          values: [cutoff, limit],
        },
      ];
  }
}

function countStatement(kind: RetentionKind, cutoff: Date): Statement {
  switch (kind) {
    case 'audit_logs':
      return {
        text: `SELECT count(*) AS count FROM audit_logs WHERE retention_until < $1::timestamptz`,
        values: [cutoff],
      };
    case 'refresh_tokens':
      return {
        text: `
        SELECT count(*) AS count FROM refresh_tokens
        WHERE session_id IN (SELECT id FROM sessions WHERE expires_at < $1::timestamptz OR revoked_at < $1::timestamptz)`,
        values: [cutoff],
      };
    case 'sessions':
      return {
        text: `SELECT count(*) AS count FROM sessions WHERE expires_at < $1::timestamptz OR revoked_at < $1::timestamptz`,
        values: [cutoff],
      };
    case 'outbox_events':
      return {
        text: `SELECT count(*) AS count FROM outbox_events WHERE published_at < $1::timestamptz`,
        values: [cutoff],
      };
  }
}

/** The PostgreSQL SQLSTATE of a node-postgres error, if any. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
