import pg from 'pg';

/** A PostgreSQL advisory lock key in its two-int form, as pg_locks shows it (classid, objid). */
export type AdvisoryLockKey = readonly [number, number];

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

/**
 * Takes a session-level advisory lock on a dedicated connection (not from a pool: the lock lives as
 * long as this one session). If the process dies, even by SIGKILL, PostgreSQL ends the session and
 * the lock with it, so a crashed run never blocks the next. When the lock is taken, the answer
 * names the session holding it, for the log line and the operator.
 */
export async function tryAcquireAdvisoryLock(options: {
  url: string;
  key: AdvisoryLockKey;
  /** Shows up in pg_stat_activity beside the lock. */
  applicationName: string;
}): Promise<AdvisoryLockAttempt> {
  const [classId, objId] = options.key;
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
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS locked', [classId, objId]);
    if (!rows[0]?.locked) {
      const holder = await client.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: Date }>(
        `SELECT a.pid, a.application_name, a.client_addr::text AS client_addr, a.backend_start
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.objsubid = 2`,
        [classId, objId],
      );
      await client.end();
      const row = holder.rows[0];
      return {
        acquired: false,
        holder: row
          ? { pid: row.pid, applicationName: row.application_name, clientAddress: row.client_addr, backendStart: row.backend_start }
          : null,
      };
    }
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
          await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [classId, objId]);
        } finally {
          // Ending the session would release the lock anyway; the explicit unlock just says so first.
          await client.end().catch(() => undefined);
        }
      },
    },
  };
}
