import pg from 'pg';

/** What a repository runs its SQL on: the pool (one statement, any connection) or a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  /** Shows up in pg_stat_activity, so a DBA can tell the apps apart. */
  applicationName: string;
  /**
   * Upper bound of one transaction's statements and of its idle time between them. Set with
   * `SET LOCAL` inside each transaction (never as a connection start-up parameter), so that it
   * holds behind a transaction-pooling PgBouncer too.
   */
  transactionTimeoutMs?: number;
}

const DEFAULT_TRANSACTION_TIMEOUT_MS = 15_000;

/**
 * The one way the apps talk to PostgreSQL: node-postgres, hand-written SQL, one pool.
 *
 * Timestamps are exact whatever the server's or the session's TimeZone: node-postgres sends a Date
 * with its UTC offset and parses timestamptz with the offset the server sends. So nothing depends on
 * start-up parameters, which a transaction-pooling PgBouncer refuses (docs/database.md).
 */
export class Database implements Queryable {
  readonly pool: pg.Pool;
  private readonly beginSql: string;

  constructor(options: DatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax,
      application_name: options.applicationName,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // A pooled connection that breaks while idle emits 'error' on the pool; the pool drops it and
    // the next query opens a fresh one. Without a listener the process would crash.
    this.pool.on('error', () => undefined);
    const timeoutMs = Math.trunc(options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS);
    // One round trip: BEGIN and both limits travel as one simple-protocol query.
    this.beginSql = `BEGIN; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL idle_in_transaction_session_timeout = ${timeoutMs}`;
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /**
   * Runs `work` in one READ COMMITTED transaction on one connection: everything it does commits
   * together, or nothing does. A connection whose ROLLBACK fails (the socket died mid-transaction)
   * is destroyed rather than returned to the pool.
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A socket that dies between two statements makes the checked-out client emit 'error'; without
    // a listener that would crash the process. The failure then surfaces on the next statement.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query(this.beginSql);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
