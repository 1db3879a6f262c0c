import { randomUUID } from 'node:crypto';
import { createTestDatabase, PrivatePgBouncer, readInfrastructure, withPgClient, type TestDatabase } from '@pandora/testing';
import pg from 'pg';
import {
  AUDIT_CLEANUP_LOCK_KEY,
  createRepositories,
  Database,
  NotADirectSessionError,
  OutboxConnection,
  PgUnitOfWork,
  sqlState,
  tryAcquireAdvisoryLock,
} from '../src';

/**
 * data-access behind a real PgBouncer in transaction pooling mode with ONE server connection for
 * every client (so whatever one client leaves on a server session, the next one meets), in front
 * of a database whose time zone is Asia/Tokyo. What must hold there: no start-up parameter is
 * needed, timestamps are exact, the transaction timeout applies and never leaks, and nothing that
 * needs a session of its own accepts a pooled connection.
 */
let db: TestDatabase;
let bouncer: PrivatePgBouncer;
let pooledUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await withPgClient(db.url, (client) => client.query(`ALTER DATABASE "${db.name}" SET timezone TO 'Asia/Tokyo'`));
  bouncer = await PrivatePgBouncer.start({ upstreamUrl: readInfrastructure().adminDatabaseUrl, poolMode: 'transaction', poolSize: 1 });
  pooledUrl = bouncer.url(db.name);
}, 30_000);
afterAll(async () => {
  await bouncer?.destroy();
  await db?.drop();
});

async function withDatabase<T>(options: { transactionTimeoutMs?: number }, work: (database: Database) => Promise<T>): Promise<T> {
  const database = new Database({ url: pooledUrl, poolMax: 3, applicationName: 'pgbouncer-tests', ...options });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

describe('behind a transaction-pooling PgBouncer', () => {
  it('connects without any start-up parameter (PgBouncer refuses them and ignores none here)', async () => {
    await withDatabase({}, async (database) => expect((await database.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]));
    // What a start-up parameter would get: the reason the relay sets its timeout with SET instead.
    const withParameter = new pg.Client({ connectionString: pooledUrl, statement_timeout: 1_000 });
    await expect(withParameter.connect()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
  });

  it('stores and reads the exact instant although the session time zone is Asia/Tokyo', async () => {
    const at = new Date('2026-06-01T23:30:00.123Z');
    const id = randomUUID();
    await withDatabase({}, async (database) => {
      expect((await database.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz")).rows[0]?.tz).toBe('Asia/Tokyo');
      await new PgUnitOfWork(database).run((repositories) =>
        repositories.users.create({
          id,
          email: `tz.${id.slice(0, 8)}@example.com`,
          passwordHash: 'x',
          firstName: 'Ada',
          lastName: 'Lovelace',
          role: 'user',
          createdAt: at,
        }),
      );
      expect((await createRepositories(database).users.findById(id))?.createdAt.toISOString()).toBe(at.toISOString());
      // A default set by the server (now()) is the real instant too.
      const { rows } = await database.query<{ now: Date }>('SELECT now() AS now');
      expect(Math.abs((rows[0]?.now.getTime() ?? 0) - Date.now())).toBeLessThan(5 * 60_000);
    });
    const stored = await withPgClient(db.url, (client) =>
      client.query<{ at: string }>(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM users WHERE id = $1::uuid`,
        [id],
      ),
    );
    expect(stored.rows[0]?.at).toBe(at.toISOString());
  });

  it('cancels a statement over the transaction timeout, and the limit does not leak to the next transaction', async () => {
    await withDatabase({ transactionTimeoutMs: 300 }, async (database) => {
      const slow = database.transaction((tx) => tx.query('SELECT pg_sleep(10)'));
      await expect(slow).rejects.toMatchObject({ code: '57014' });
      expect(sqlState(await slow.catch((error: unknown) => error))).toBe('57014');
    });
    // The only server connection ran that transaction: a session-level SET would still be there.
    await withDatabase({}, async (database) => {
      expect((await database.query<{ limit: string }>("SELECT current_setting('statement_timeout') AS limit")).rows[0]?.limit).toBe('0');
    });
  });

  it('refuses session state on a pooled connection: the cleanup lock and the relay session', async () => {
    await expect(
      tryAcquireAdvisoryLock({ url: pooledUrl, key: AUDIT_CLEANUP_LOCK_KEY, applicationName: 'pgbouncer-tests' }),
    ).rejects.toThrow(NotADirectSessionError);
    await expect(
      OutboxConnection.open({
        url: pooledUrl,
        statementTimeoutMs: 5_000,
        idleSessionTimeoutMs: 60_000,
        onNotification: () => undefined,
        onLost: () => undefined,
      }),
    ).rejects.toThrow(/DATABASE_DIRECT_URL/);
    // Why: through the pooler, two clients both "hold" one session lock (they share the server session).
    const [first, second] = [new pg.Client({ connectionString: pooledUrl }), new pg.Client({ connectionString: pooledUrl })];
    await Promise.all([first.connect(), second.connect()]);
    try {
      const take = (client: pg.Client) => client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock(42) AS taken');
      expect([(await take(first)).rows[0]?.taken, (await take(second)).rows[0]?.taken]).toEqual([true, true]);
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  });

  it('still takes the cleanup lock on the direct connection while the pooler serves everything else', async () => {
    const attempt = await tryAcquireAdvisoryLock({ url: db.url, key: AUDIT_CLEANUP_LOCK_KEY, applicationName: 'pgbouncer-tests' });
    expect(attempt.acquired).toBe(true);
    if (attempt.acquired) await attempt.lock.release();
  });
});
