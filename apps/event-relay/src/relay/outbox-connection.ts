import pg from 'pg';

/** The channel the `outbox_events_notify` trigger notifies on each commit that inserted outbox rows. */
export const OUTBOX_CHANNEL = 'outbox_events';

/**
 * The leader lease: a session-level advisory lock. PostgreSQL releases it the moment the session
 * ends (process killed, connection cut, server restarted), so a dead leader never blocks the
 * others; advisory locks are per database, so relays of different databases never meet.
 */
const LEASE_KEY_SQL = "hashtextextended('pandora:event-relay:leader', 0)";

export interface OutboxRow {
  id: string;
  /** bigint, as text. */
  seq: string;
  eventType: string;
  aggregateId: string | null;
  payload: unknown;
  metadata: Record<string, unknown>;
  occurredAt: Date;
}

export interface PublishedRow {
  eventType: string;
  /** From the outbox insert (≈ the commit: use cases run short transactions) to being marked published. */
  lagSeconds: number;
}

export interface OutboxConnectionOptions {
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

/**
 * The relay's one PostgreSQL session: it holds the leader lease, LISTENs for new outbox rows and
 * runs the relay's queries. Keeping all three on one session means that whoever runs the queries
 * holds the lease: if the session dies, the lease and the ability to mark rows die together.
 * A session (not transaction) pooler such as PgBouncer in transaction mode cannot carry it.
 */
export class OutboxConnection {
  private ended = false;

  private constructor(private readonly client: pg.Client) {}

  static async open(options: OutboxConnectionOptions): Promise<OutboxConnection> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: 'event-relay',
      connectionTimeoutMillis: 5_000,
      statement_timeout: options.statementTimeoutMs,
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
      // Server-side keepalives: the server notices a vanished client in ~25 s instead of hours.
      await client.query(
        `SELECT set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false),
                set_config('tcp_keepalives_count', '3', false)`,
      );
      await client.query(
        `SELECT set_config('idle_session_timeout', $1, false) WHERE current_setting('server_version_num')::int >= 140000`,
        [`${options.idleSessionTimeoutMs}ms`],
      );
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  async tryAcquireLease(): Promise<boolean> {
    const { rows } = await this.client.query<{ acquired: boolean }>(`SELECT pg_try_advisory_lock(${LEASE_KEY_SQL}) AS acquired`);
    return rows[0]?.acquired === true;
  }

  async releaseLease(): Promise<void> {
    await this.client.query(`SELECT pg_advisory_unlock(${LEASE_KEY_SQL})`);
  }

  async listen(): Promise<void> {
    await this.client.query(`LISTEN ${OUTBOX_CHANNEL}`);
  }

  async unlisten(): Promise<void> {
    await this.client.query(`UNLISTEN ${OUTBOX_CHANNEL}`);
  }

  /**
   * The oldest unpublished rows, in insertion order, read from one snapshot (the partial index
   * `outbox_events_unpublished_seq_idx`). Always the oldest: a row committed late behind newer
   * published ones is still unpublished and comes first next time, so nothing is ever skipped.
   */
  async fetchUnpublished(limit: number): Promise<OutboxRow[]> {
    const { rows } = await this.client.query<{
      id: string;
      seq_text: string;
      event_type: string;
      aggregate_id: string | null;
      payload: unknown;
      metadata: Record<string, unknown> | null;
      occurred_at: Date;
    }>(
      // `seq_text`, not `seq`: ORDER BY would pick an output column named seq, i.e. sort as text.
      `SELECT id, seq::text AS seq_text, event_type, aggregate_id, payload, metadata, occurred_at
         FROM outbox_events
        WHERE published_at IS NULL
        ORDER BY seq
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      id: row.id,
      seq: row.seq_text,
      eventType: row.event_type,
      aggregateId: row.aggregate_id,
      payload: row.payload,
      metadata: row.metadata ?? {},
      occurredAt: row.occurred_at,
    }));
  }

  /** Marks rows published (only after Redis accepted them); rows already marked are left alone. */
  async markPublished(ids: string[]): Promise<PublishedRow[]> {
    const { rows } = await this.client.query<{ event_type: string; lag_seconds: number }>(
      `UPDATE outbox_events
          SET published_at = clock_timestamp(), last_error = NULL
        WHERE id = ANY($1::uuid[]) AND published_at IS NULL
      RETURNING event_type, EXTRACT(EPOCH FROM (published_at - created_at))::float8 AS lag_seconds`,
      [ids],
    );
    return rows.map((row) => ({ eventType: row.event_type, lagSeconds: Math.max(0, row.lag_seconds) }));
  }

  /** Counts a failed publish attempt on the rows, for operators (`attempts`, `last_error`). */
  async recordFailure(ids: string[], message: string): Promise<void> {
    await this.client.query(
      `UPDATE outbox_events SET attempts = attempts + 1, last_error = left($2, 1000)
        WHERE id = ANY($1::uuid[]) AND published_at IS NULL`,
      [ids, message],
    );
  }

  /** Ends the session (which releases the lease if it is still held). */
  async close(): Promise<void> {
    this.ended = true;
    await this.client.end().catch(() => undefined);
  }
}
