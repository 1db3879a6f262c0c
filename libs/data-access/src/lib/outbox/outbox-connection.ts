import { RELAY_LEADER_LOCK_KEY } from '../advisory-lock-keys';
import { LeaderSession } from '../leader-session';
import { outboxEvents, type OutboxEventRow } from '../tables/outbox-events';

/**
 * The channel the `outbox_events_notify` trigger (a migration) notifies on each commit that
 * inserted outbox rows. LISTEN needs a session: only the relay's direct connection listens.
 */
export const OUTBOX_CHANNEL = 'outbox_events';

/** What the relay publishes of a row. */
export type OutboxRow = Pick<OutboxEventRow, 'id' | 'seq' | 'eventType' | 'aggregateId' | 'payload' | 'metadata' | 'occurredAt'>;

export interface PublishedRow {
  eventType: string;
  /** From the outbox insert (≈ the commit: use cases run short transactions) to being marked published. */
  lagSeconds: number;
}

export interface OutboxConnectionOptions {
  /** DATABASE_DIRECT_URL: PostgreSQL itself, never a transaction pooler (the lease is session state). */
  url: string;
  /** A query unanswered for this long fails, so that a hung server cannot wedge the relay. */
  statementTimeoutMs: number;
  /**
   * The server ends the session after this long without a query (PostgreSQL 14+), which frees the
   * lease of a leader that went silent (partitioned, frozen) long before TCP would notice. The
   * relay queries far more often than this while it is healthy.
   */
  idleSessionTimeoutMs: number;
  onNotification: () => void;
  /** The session ended or broke: the lease (if held) is gone with it. */
  onLost: (error: Error) => void;
}

// `o.seq` in ORDER BY: the SELECT list calls its text form "seq", and a bare `seq` would sort that.
// The lease condition makes every fetch prove that the backend running it holds the lease: rows are
// handed out only to the leader's own session (ARCHITECTURE.md, "Domain events").
const fetchUnpublished = (leaseHeld: string) => `
  SELECT ${outboxEvents.select('o', ['id', 'seq', 'eventType', 'aggregateId', 'payload', 'metadata', 'occurredAt'])}
    FROM outbox_events o
   WHERE o.published_at IS NULL
     AND ${leaseHeld}
   ORDER BY o.seq
   LIMIT $1`;

const MARK_PUBLISHED = `
  UPDATE outbox_events
     SET published_at = clock_timestamp(), last_error = NULL
   WHERE id = ANY($1::uuid[]) AND published_at IS NULL
  RETURNING event_type AS "eventType", EXTRACT(EPOCH FROM (published_at - created_at))::float8 AS "lagSeconds"`;

const RECORD_FAILURE = `
  UPDATE outbox_events SET attempts = attempts + 1, last_error = left($2, 1000)
   WHERE id = ANY($1::uuid[]) AND published_at IS NULL`;

/**
 * The relay's one PostgreSQL session: it holds the leader lease (an advisory lock), LISTENs for new
 * outbox rows and runs the relay's queries — a LeaderSession (leader-session.ts) with the outbox's
 * SQL. Keeping all three on one session means that whoever runs the queries holds the lease: if the
 * session dies, the lease and the ability to mark rows die together. It must be a direct
 * connection: `open` refuses one that goes through a pooler.
 */
export class OutboxConnection {
  private constructor(
    private readonly session: LeaderSession,
    private readonly fetchSql: string,
    private readonly leaseValues: unknown[],
  ) {}

  static async open(options: OutboxConnectionOptions): Promise<OutboxConnection> {
    const session = await LeaderSession.open({
      url: options.url,
      key: RELAY_LEADER_LOCK_KEY,
      applicationName: 'event-relay',
      statementTimeoutMs: options.statementTimeoutMs,
      idleSessionTimeoutMs: options.idleSessionTimeoutMs,
      onNotification: (channel) => {
        if (channel === OUTBOX_CHANNEL) options.onNotification();
      },
      onLost: options.onLost,
    });
    const lease = session.leaseHeld(2);
    return new OutboxConnection(session, fetchUnpublished(lease.sql), lease.values);
  }

  /** Takes the lease if it is free, and confirms in pg_locks that this session's backend holds it. */
  tryAcquireLease(): Promise<boolean> {
    return this.session.tryAcquireLease();
  }

  releaseLease(): Promise<void> {
    return this.session.releaseLease();
  }

  async listen(): Promise<void> {
    await this.session.query(`LISTEN ${OUTBOX_CHANNEL}`);
  }

  async unlisten(): Promise<void> {
    await this.session.query(`UNLISTEN ${OUTBOX_CHANNEL}`);
  }

  /**
   * The oldest unpublished rows, in insertion order, read from one snapshot (the partial index
   * `outbox_events_unpublished_seq_idx`), if this session holds the lease (none otherwise). Always
   * the oldest: a row committed late behind newer published ones is still unpublished and comes
   * first next time, so nothing is ever skipped.
   */
  async fetchUnpublished(limit: number): Promise<OutboxRow[]> {
    const { rows } = await this.session.query<OutboxRow>(this.fetchSql, [limit, ...this.leaseValues]);
    return rows;
  }

  /** Marks rows published (only after Redis accepted them); rows already marked are left alone. */
  async markPublished(ids: string[]): Promise<PublishedRow[]> {
    const { rows } = await this.session.query<PublishedRow>(MARK_PUBLISHED, [ids]);
    return rows.map((row) => ({ eventType: row.eventType, lagSeconds: Math.max(0, row.lagSeconds) }));
  }

  /** Counts a failed publish attempt on the rows, for operators (`attempts`, `last_error`). */
  async recordFailure(ids: string[], message: string): Promise<void> {
    await this.session.query(RECORD_FAILURE, [ids, message]);
  }

  /** Ends the session (which releases the lease if it is still held). */
  close(): Promise<void> {
    return this.session.close();
  }
}
