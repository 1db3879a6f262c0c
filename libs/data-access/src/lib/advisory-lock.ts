import pg from 'pg';
import { lockArguments, lockRowCondition, type AdvisoryLockKey } from './advisory-lock-keys';
import { confirmDirectSession } from './sql/direct-session';

export interface AdvisoryLockHolder {
  pid: number;
  applicationName: string;
  clientAddress: string | null;
  backendStart: Date;
}

export interface SessionAdvisoryLock {
  /** False once the connection holding the lock is gone: from then on another run can take it. */
  isHeld(): boolean;
  /** Called once if the connection drops while the lock is held. */
  onLost(listener: (error: Error) => void): void;
  release(): Promise<void>;
}

export type AdvisoryLockAttempt = { acquired: true; lock: SessionAdvisoryLock } | { acquired: false; holder: AdvisoryLockHolder | null };

/** Who holds `key`, as pg_locks and pg_stat_activity tell (null: nobody, or it was just released). */
export async function advisoryLockHolder(db: pg.ClientBase, key: AdvisoryLockKey): Promise<AdvisoryLockHolder | null> {
  const condition = lockRowCondition(key, 'l');
  const { rows } = await db.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: Date }>(
    `SELECT a.pid, a.application_name, a.client_addr::text AS client_addr, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ${condition.sql}`,
    condition.values,
  );
  const row = rows[0];
  return row
    ? { pid: row.pid, applicationName: row.application_name, clientAddress: row.client_addr, backendStart: row.backend_start }
    : null;
}

/** True when the backend running this statement holds `key` (it does not hold it merely because its client asked). */
export async function holdsAdvisoryLock(db: pg.ClientBase, key: AdvisoryLockKey): Promise<boolean> {
  const condition = lockRowCondition(key, 'l');
  const { rows } = await db.query<{ held: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.granted AND ${condition.sql}) AS held`,
    condition.values,
  );
  return rows[0]?.held === true;
}

/**
 * Takes a session-level advisory lock on a dedicated connection (not from a pool: the lock lives as
 * long as this one session). If the process dies, even by SIGKILL, PostgreSQL ends the session and
 * the lock with it, so a crashed run never blocks the next. When the lock is taken, the answer
 * names the session holding it, for the log line and the operator.
 *
 * `url` must reach PostgreSQL directly (DATABASE_DIRECT_URL): behind a transaction-pooling
 * PgBouncer a session lock belongs to whichever server connection ran the statement, so two runs
 * could both "hold" it. Such a connection is refused with NotADirectSessionError.
 */
export async function tryAcquireAdvisoryLock(options: {
  url: string;
  key: AdvisoryLockKey;
  /** Shows up in pg_stat_activity beside the lock. */
  applicationName: string;
}): Promise<AdvisoryLockAttempt> {
  const { key } = options;
  const args = lockArguments(key);
  const client = new pg.Client({
    connectionString: options.url,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
  });
  let held = false;
  let lost: Error | null = null;
  const listeners: Array<(error: Error) => void> = [];
  const markLost = (error: Error) => {
    if (!held || lost) return;
    held = false;
    lost = error;
    for (const listener of listeners) listener(error);
  };
  client.on('error', (error) => markLost(error));
  client.on('end', () => markLost(new Error('the connection holding the advisory lock closed')));

  await client.connect();
  try {
    await confirmDirectSession(client, `the advisory lock of ${options.applicationName}`);
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${args.sql}) AS locked`, args.values);
    if (!rows[0]?.locked) {
      const holder = await advisoryLockHolder(client, key);
      await client.end();
      return { acquired: false, holder };
    }
    if (!(await holdsAdvisoryLock(client, key)))
      throw new Error(`pg_try_advisory_lock answered true, but this session does not hold the lock`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  held = true;

  return {
    acquired: true,
    lock: {
      isHeld: () => held,
      onLost(listener) {
        if (lost) listener(lost);
        else listeners.push(listener);
      },
      async release() {
        if (!held) return;
        held = false;
        try {
          await client.query(`SELECT pg_advisory_unlock(${args.sql})`, args.values);
        } finally {
          // Ending the session would release the lock anyway; the explicit unlock just says so first.
          await client.end().catch(() => undefined);
        }
      },
    },
  };
}
