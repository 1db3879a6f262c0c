import pg from 'pg';
import { holdsAdvisoryLock } from './advisory-lock';
import { lockArguments, lockRowCondition, type AdvisoryLockKey } from './advisory-lock-keys';
import { confirmDirectSession } from './sql/direct-session';

export interface LeaderSessionOptions {
  /** DATABASE_DIRECT_URL: PostgreSQL itself, never a transaction pooler (the lease is session state). */
  url: string;
  /** The lease this session may take (one key per kind of leader: advisory-lock-keys.ts). */
  key: AdvisoryLockKey;
  /** Shows up in pg_stat_activity beside the lease. */
  applicationName: string;
  /** A query unanswered for this long fails, so that a hung server cannot wedge the loop. */
  statementTimeoutMs: number;
  /**
   * The server ends the session after this long without a query (PostgreSQL 14+), which frees the
   * lease of a leader that went silent (partitioned, frozen) long before TCP would notice.
   */
  idleSessionTimeoutMs: number;
  /** LISTEN notifications of this session, by channel. */
  onNotification?: (channel: string) => void;
  /** The session ended or broke: the lease (if held) is gone with it. */
  onLost: (error: Error) => void;
}

/**
 * One direct PostgreSQL session that holds a leader lease (a session advisory lock) and runs the
 * leader's queries. Keeping both on one session means that whoever runs the queries holds the lease:
 * if the session dies, the lease and the leader's work die together. `leaseHeld(first)` gives the
 * SQL condition that makes a query prove it (rows are handed out only to the leader's own session).
 */
export class LeaderSession {
  private ended = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly key: AdvisoryLockKey,
  ) {}

  static async open(options: LeaderSessionOptions): Promise<LeaderSession> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: options.applicationName,
      connectionTimeoutMillis: 5_000,
      query_timeout: options.statementTimeoutMs + 2_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    const session = new LeaderSession(client, options.key);
    const reportLost = (error: Error) => {
      if (session.ended) return;
      session.ended = true;
      options.onLost(error);
    };
    client.on('error', reportLost);
    client.on('end', () => reportLost(new Error('the PostgreSQL session ended')));
    const { onNotification } = options;
    if (onNotification) client.on('notification', (message) => onNotification(message.channel));
    try {
      await client.connect();
      await confirmDirectSession(client, `the leader lease of ${options.applicationName}`);
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
      await session.close();
      throw error;
    }
    return session;
  }

  /** Runs one statement on the leader's session. */
  query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.client.query<R>(text, values);
  }

  /** Takes the lease if it is free, and confirms in pg_locks that this session's backend holds it. */
  async tryAcquireLease(): Promise<boolean> {
    const args = lockArguments(this.key);
    const { rows } = await this.client.query<{ acquired: boolean }>(`SELECT pg_try_advisory_lock(${args.sql}) AS acquired`, args.values);
    if (rows[0]?.acquired !== true) return false;
    if (!(await holdsAdvisoryLock(this.client, this.key))) {
      throw new Error('took the leader lease, but pg_locks does not show it on this session');
    }
    return true;
  }

  async releaseLease(): Promise<void> {
    const args = lockArguments(this.key);
    await this.client.query(`SELECT pg_advisory_unlock(${args.sql})`, args.values);
  }

  /**
   * An SQL condition true only when the backend running the statement holds this session's lease,
   * numbering its parameters from `first`.
   */
  leaseHeld(first: number): { sql: string; values: unknown[] } {
    const condition = lockRowCondition(this.key, 'l', first);
    return {
      sql: `EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.granted AND ${condition.sql})`,
      values: condition.values,
    };
  }

  /** Ends the session (which releases the lease if it is still held). */
  async close(): Promise<void> {
    this.ended = true;
    await this.client.end().catch(() => undefined);
  }
}
