import pg from 'pg';
import { holdsAdvisoryLock } from '../advisory-lock';
import { lockArguments, lockRowCondition, RELAY_LEADER_LOCK_KEY } from '../advisory-lock-keys';
import { confirmDirectSession } from '../sql/direct-session';
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

const LEASE = lockArguments(RELAY_LEADER_LOCK_KEY);
const LEASE_HELD = lockRowCondition(RELAY_LEADER_LOCK_KEY, 'l', 2);

// `o.seq` in ORDER BY: the SELECT list calls its text form "seq", and a bare `seq` would sort that.
// The EXISTS makes every fetch prove that the backend running it holds the lease: rows are handed
// out only to the leader's own session (ARCHITECTURE.md, "Domain events").
const FETCH_UNPUBLISHED = `
  SELECT ${outboxEvents.select('o', ['id', 'seq', 'eventType', 'aggregateId', 'payload', 'metadata', 'occurredAt'])}
    FROM outbox_events o
   WHERE o.published_at IS NULL
     AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.granted AND ${LEASE_HELD.sql})
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
 * outbox rows and runs the relay's queries. Keeping all three on one session means that whoever
 * runs the queries holds the lease: if the session dies, the lease and the ability to mark rows die
 * together. It must be a direct connection: `open` refuses one that goes through a pooler.
 */
export class OutboxConnection {
  private ended = false;

  private constructor(private readonly client: pg.Client) {}

  static async open(options: OutboxConnectionOptions): Promise<OutboxConnection> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: 'event-relay',
      connectionTimeoutMillis: 5_000,
      query_timeout: options.statementTimeoutMs + 2_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    const connection = new OutboxConnection(client);
    const reportLost = (error: Error) => {
      if (connection.ended) return;
      connection.ended = true;
      options.onLost(error);
    };
    client.on('error', reportLost);
    client.on('end', () => reportLost(new Error('the PostgreSQL session ended')));
    client.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL) options.onNotification();
    });
    try {
      await client.connect();
      await confirmDirectSession(client, "event-relay's leader lease");
      // Session settings, set once on this session (never as start-up parameters): the statement
      // bound; server-side keepalives, so that the server notices a vanished client in ~25 s
      // instead of hours; and the idle-session limit that frees a silent leader's lease.
      await client.query(
        `SELECT set_config('statement_timeout', $1, false), set_config('tcp_keepalives_idle', '10', false),
                set_config('tcp_keepalives_interval', '5', false), set_config('tcp_keepalives_count', '3', false)`,
        [`${Math.trunc(options.statementTimeoutMs)}ms`],
      );
      await client.query(
        `SELECT set_config('idle_session_timeout', $1, false) WHERE current_setting('server_version_num')::int >= 140000`,
        [`${Math.trunc(options.idleSessionTimeoutMs)}ms`],
      );
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  /** Takes the lease if it is free, and confirms in pg_locks that this session's backend holds it. */
  async tryAcquireLease(): Promise<boolean> {
    const { rows } = await this.client.query<{ acquired: boolean }>(`SELECT pg_try_advisory_lock(${LEASE.sql}) AS acquired`, LEASE.values);
    if (rows[0]?.acquired !== true) return false;
    if (!(await holdsAdvisoryLock(this.client, RELAY_LEADER_LOCK_KEY))) {
      throw new Error('took the leader lease, but pg_locks does not show it on this session');
    }
    return true;
  }

  async releaseLease(): Promise<void> {
    await this.client.query(`SELECT pg_advisory_unlock(${LEASE.sql})`, LEASE.values);
  }

  async listen(): Promise<void> {
    await this.client.query(`LISTEN ${OUTBOX_CHANNEL}`);
  }

  async unlisten(): Promise<void> {
    await this.client.query(`UNLISTEN ${OUTBOX_CHANNEL}`);
  }

  /**
   * The oldest unpublished rows, in insertion order, read from one snapshot (the partial index
   * `outbox_events_unpublished_seq_idx`), if this session holds the lease (none otherwise). Always
   * the oldest: a row committed late behind newer published ones is still unpublished and comes
   * first next time, so nothing is ever skipped.
   */
  async fetchUnpublished(limit: number): Promise<OutboxRow[]> {
    const { rows } = await this.client.query<OutboxRow>(FETCH_UNPUBLISHED, [limit, ...LEASE_HELD.values]);
    return rows;
  }

  /** Marks rows published (only after Redis accepted them); rows already marked are left alone. */
  async markPublished(ids: string[]): Promise<PublishedRow[]> {
    const { rows } = await this.client.query<PublishedRow>(MARK_PUBLISHED, [ids]);
    return rows.map((row) => ({ eventType: row.eventType, lagSeconds: Math.max(0, row.lagSeconds) }));
  }

  /** Counts a failed publish attempt on the rows, for operators (`attempts`, `last_error`). */
  async recordFailure(ids: string[], message: string): Promise<void> {
    await this.client.query(RECORD_FAILURE, [ids, message]);
  }

  /** Ends the session (which releases the lease if it is still held). */
  async close(): Promise<void> {
    this.ended = true;
    await this.client.end().catch(() => undefined);
  }
}
