import pg from 'pg';

/** What a repository runs its SQL on: the pool (one statement, any connection) or a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** The pool or a transaction, as the repositories get them. */
export interface QueryRunner extends Queryable {
  /**
   * A statement whose answer nobody reads (the INSERT of an audit row, an outbox event, a session). On the
   * pool it runs and is awaited like `query`. In a transaction it is held and sent in the same
   * socket write as the transaction's next statement or its COMMIT, ahead of it (so the server still
   * runs everything in program order); if it fails, that next statement or the commit fails with
   * its error and the transaction rolls back.
   */
  write(text: string, values: unknown[]): Promise<void>;
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
export class Database implements QueryRunner {
  readonly pool: pg.Pool;
  private readonly beginSql: string;

  constructor(options: DatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax,
      application_name: options.applicationName,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // node-postgres's pipeline mode: a statement is sent without waiting for the answer to the
      // previous one. Only a transaction ever has several in flight (PipelinedTransaction below);
      // a pool query is one statement either way.
      ...({ pipeline: true } as pg.PoolConfig),
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

  async write(text: string, values: unknown[]): Promise<void> {
    await this.pool.query(text, values);
  }

  /**
   * Runs `work` in one READ COMMITTED transaction on one connection: everything it does commits
   * together, or nothing does. A connection whose ROLLBACK fails (the socket died mid-transaction),
   * or whose session the server ended, is destroyed rather than returned to the pool.
   *
   * Round trips: `BEGIN` (with the transaction limits) is sent together with the first statement,
   * and the statements nobody waits for (`write`: audit rows, outbox events, a new session) together
   * with the next statement or the COMMIT. A login's transaction (session, device, audit row, event)
   * is two round trips instead of six (docs/benchmarks.md, "Login: fewer round trips").
   */
  async transaction<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A socket that dies between two statements makes the checked-out client emit 'error'; without
    // a listener that would crash the process. The failure then surfaces on the next statement.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    const tx = new PipelinedTransaction(client, this.beginSql);
    try {
      const result = await work(tx);
      await tx.commit();
      return result;
    } catch (error) {
      // A session the server ended (FATAL: terminated by an administrator or a failover, shut down)
      // has no transaction left to undo, and a ROLLBACK written to it is answered only if the close
      // reaches us: through a proxy or a network path that loses it, it would wait forever and keep
      // its pool slot. Such a connection is destroyed instead.
      if (broken === undefined && endedSession(error)) broken = error as Error;
      try {
        // Work that failed before its first statement sent nothing, not even BEGIN: nothing to undo.
        if (tx.begun && broken === undefined) await client.query('ROLLBACK');
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

/**
 * The statements of one transaction on its connection (pipeline mode). Held statements — BEGIN and
 * every `write` — go out in one socket write with the next `query` or the COMMIT, ahead of it, and
 * the server answers them in order. A held statement that fails aborts the transaction, so what
 * follows it fails too ("current transaction is aborted", and COMMIT answers ROLLBACK): the error
 * reported is always the first one, the held statement's own.
 */
class PipelinedTransaction implements QueryRunner {
  private held: Array<{ text: string; values: unknown[] | undefined }>;
  /** Whether BEGIN has gone out (with the first statement or the COMMIT). */
  begun = false;

  constructor(
    private readonly client: pg.PoolClient,
    beginSql: string,
  ) {
    this.held = [{ text: beginSql, values: undefined }];
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const { sent, last } = this.send<R>({ text, values });
    try {
      return await last;
    } catch (error) {
      throw await firstFailure(sent, error);
    }
  }

  async write(text: string, values: unknown[]): Promise<void> {
    this.held.push({ text, values });
  }

  /** Sends what is held and COMMIT; resolves once the transaction is committed. */
  async commit(): Promise<void> {
    const { sent, last } = this.send({ text: 'COMMIT', values: undefined });
    let committed: pg.QueryResult;
    try {
      committed = await last;
    } catch (error) {
      throw await firstFailure(sent, error);
    }
    // A transaction that an earlier statement aborted answers COMMIT with ROLLBACK, not an error.
    const failure = await firstFailure(sent, undefined);
    if (failure !== undefined) throw failure;
    if (committed.command !== 'COMMIT') throw new Error(`The transaction was not committed (${committed.command})`);
  }

  /** The held statements, then `next`, in one socket write. */
  private send<R extends pg.QueryResultRow>(next: { text: string; values: unknown[] | undefined }) {
    const statements = this.held;
    this.held = [];
    this.begun = true;
    // `connection` is on every pg.Client; the pool's client type leaves it out.
    const { stream } = (this.client as unknown as pg.Client).connection;
    stream.cork();
    try {
      const sent = statements.map(({ text, values }) => this.client.query(text, values));
      // Failures of held statements are reported through `firstFailure`, never as unhandled rejections.
      for (const statement of sent) statement.catch(() => undefined);
      return { sent, last: this.client.query<R>(next.text, next.values) };
    } finally {
      stream.uncork();
    }
  }
}

/** PostgreSQL closes the session after an error of these severities. */
function endedSession(error: unknown): boolean {
  const severity = (error as { severity?: unknown } | null)?.severity;
  return severity === 'FATAL' || severity === 'PANIC';
}

/** The error of the first held statement that failed, else `otherwise`. */
async function firstFailure(sent: Array<Promise<unknown>>, otherwise: unknown): Promise<unknown> {
  for (const outcome of await Promise.allSettled(sent)) {
    if (outcome.status === 'rejected') return outcome.reason;
  }
  return otherwise;
}
