import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, eventually, type TestDatabase } from '@pandora/testing';
import { createRepositories, Database, openReadCaches, PgUnitOfWork, type ReadCaches } from '../src';

// The read cache against real PostgreSQL: the triggers, the listening session, its proofs, and what
// happens when that session hangs or dies. Timings are shortened (a 400 ms bound, proofs every 50 ms)
// so the failure cases finish quickly; the rules are the same as with the production 1 s / 250 ms.
const MAX_STALENESS_MS = 400;

let db: TestDatabase;
let database: Database;
let writer: Database;

beforeAll(async () => {
  db = await createTestDatabase();
  database = new Database({ url: db.url, poolMax: 3, applicationName: 'read-cache-tests' });
  writer = new Database({ url: db.url, poolMax: 2, applicationName: 'read-cache-tests-writer' });
});
afterAll(async () => {
  await Promise.all([database.close(), writer.close()]);
  await db.drop();
});

const open: ReadCaches[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((caches) => caches.close()));
});

/** A process's caches over the suite's database, current before the test goes on. */
async function openCaches(applicationName = `read-cache-${randomUUID().slice(0, 8)}`): Promise<{ caches: ReadCaches; lookups: string[] }> {
  const lookups: string[] = [];
  const caches = openReadCaches(createRepositories(database), {
    ttlMs: 60_000,
    directUrl: db.url,
    applicationName,
    onLookup: (cache, result) => lookups.push(`${cache}:${result}`),
    feed: { maxStalenessMs: MAX_STALENESS_MS, proofIntervalMs: 50, syncTimeoutMs: 300 },
  });
  open.push(caches);
  await eventually(() => caches.isCurrent(), 'the read cache to become current', 10_000);
  return { caches, lookups };
}

/** A user the caches have heard of: its INSERT's announcement has arrived, so it cannot drop a later entry. */
async function newUser(firstName = 'Ada'): Promise<string> {
  const id = randomUUID();
  await writer.query(
    `INSERT INTO users (id, email, password_hash, first_name, last_name, role, kyc_status, created_at, updated_at)
     VALUES ($1, $2, 'x', $3, 'Lovelace', 'user', 'pending', now(), now())`,
    [id, `rc.${id.slice(0, 8)}@example.com`, firstName],
  );
  await Promise.all(open.map((caches) => caches.afterCommit()));
  return id;
}

async function newSession(userId: string): Promise<string> {
  const id = randomUUID();
  await writer.query(
    `INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, absolute_expires_at)
     VALUES ($1, $2, now(), now(), now() + interval '1 day', now() + interval '30 days')`,
    [id, userId],
  );
  return id;
}

const rename = (id: string, firstName: string) => writer.query('UPDATE users SET first_name = $2 WHERE id = $1', [id, firstName]);

/** The PostgreSQL backend of a process's listening session. */
async function listenerPid(applicationName: string): Promise<number> {
  return eventually(async () => {
    const { rows } = await writer.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
      [`${applicationName} read-cache`],
    );
    return rows[0]?.pid;
  }, 'the listening session to show up');
}

describe('the read cache over PostgreSQL', () => {
  it('answers repeated reads from memory', async () => {
    const { caches, lookups } = await openCaches();
    const id = await newUser();
    await caches.users.findById(id);
    await caches.users.findById(id);
    expect(lookups).toEqual(['user:miss', 'user:hit']);
  });

  it('drops a user the moment another connection commits a change, before any proof of the bound', async () => {
    const { caches } = await openCaches();
    const id = await newUser('Ada');
    expect((await caches.users.findById(id))?.firstName).toBe('Ada');
    await rename(id, 'Grace');
    // The commit's notification, not an expiry, is what drops the entry: it arrives in milliseconds.
    const seenAfterMs = await timeUntil(async () => (await caches.users.findById(id))?.firstName === 'Grace');
    expect(seenAfterMs).toBeLessThan(1_000);
    expect(caches.isCurrent()).toBe(true);
  });

  it('reads its own writes at once: the unit of work waits for its commit to come back', async () => {
    const { caches } = await openCaches();
    const uow = new PgUnitOfWork(database, caches.afterCommit);
    const id = await newUser('Ada');
    for (let round = 0; round < 50; round++) {
      await caches.users.findById(id);
      await uow.run((repositories) => repositories.users.update(id, { firstName: `Ada ${round}` }, new Date()));
      expect((await caches.users.findById(id))?.firstName).toBe(`Ada ${round}`);
    }
  });

  it('keeps its entry when a change is rolled back: nothing was announced', async () => {
    const { caches, lookups } = await openCaches();
    const id = await newUser('Ada');
    await caches.users.findById(id);
    await expect(
      writer.transaction(async (tx) => {
        await tx.query('UPDATE users SET first_name = $2 WHERE id = $1', [id, 'Rolled back']);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await caches.afterCommit();
    expect((await caches.users.findById(id))?.firstName).toBe('Ada');
    expect(lookups).toEqual(['user:miss', 'user:hit']);
  });

  it('refuses a revoked session and a deleted owner once committed, and keeps the session through a refresh', async () => {
    const { caches, lookups } = await openCaches();
    const userId = await newUser();
    const sessionId = await newSession(userId);
    expect(await caches.principals.load(sessionId)).toMatchObject({ userId, sessionRevokedAt: null, userDeletedAt: null });
    await writer.query("UPDATE sessions SET last_used_at = now(), expires_at = now() + interval '2 days' WHERE id = $1", [sessionId]);
    await caches.afterCommit();
    await caches.principals.load(sessionId);
    expect(lookups.filter((lookup) => lookup.startsWith('session:'))).toEqual(['session:miss', 'session:hit']);

    await writer.query("UPDATE sessions SET revoked_at = now(), revoked_reason = 'logout' WHERE id = $1", [sessionId]);
    await caches.afterCommit();
    expect((await caches.principals.load(sessionId))?.sessionRevokedAt).toBeInstanceOf(Date);

    const other = await newSession(userId);
    await caches.principals.load(other);
    await writer.query('UPDATE users SET deleted_at = now() WHERE id = $1', [userId]);
    await caches.afterCommit();
    expect((await caches.principals.load(other))?.userDeletedAt).toBeInstanceOf(Date);
    expect(await caches.users.findById(userId)).toBeNull();
    expect(await caches.users.findById(userId, { includeDeleted: true })).toMatchObject({ id: userId });
  });

  it('stops serving from memory within the bound when its listening session hangs, and serves again once it answers', async () => {
    const applicationName = `read-cache-hang-${randomUUID().slice(0, 8)}`;
    const { caches } = await openCaches(applicationName);
    const id = await newUser('Ada');
    await caches.users.findById(id);
    const pid = await listenerPid(applicationName);
    // SIGSTOP freezes the backend: the connection stays open, no notification and no proof comes back.
    execFileSync('kill', ['-STOP', String(pid)]);
    try {
      await rename(id, 'Grace');
      const seenAfterMs = await timeUntil(async () => (await caches.users.findById(id))?.firstName === 'Grace');
      // The bound, plus the time of the read that sees it (a loaded CI machine).
      expect(seenAfterMs).toBeLessThan(MAX_STALENESS_MS + 600);
      expect(caches.isCurrent()).toBe(false);
    } finally {
      execFileSync('kill', ['-CONT', String(pid)]);
    }
    await eventually(() => caches.isCurrent(), 'the cache to be current again');
    expect((await caches.users.findById(id))?.firstName).toBe('Grace');
  });

  it('forgets everything when its listening session dies, and reconnects', async () => {
    const applicationName = `read-cache-kill-${randomUUID().slice(0, 8)}`;
    const { caches, lookups } = await openCaches(applicationName);
    const id = await newUser('Ada');
    await caches.users.findById(id);
    const pid = await listenerPid(applicationName);
    await writer.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually(() => !caches.isCurrent(), 'the cache to notice');
    await rename(id, 'Grace');
    await eventually(async () => caches.isCurrent() && (await listenerPid(applicationName)) !== pid, 'a new listening session');
    lookups.length = 0;
    expect((await caches.users.findById(id))?.firstName).toBe('Grace');
    expect(lookups).toEqual(['user:miss']);
  });

  it('never serves from memory when the triggers are missing', async () => {
    const bare = await createTestDatabase();
    const pool = new Database({ url: bare.url, poolMax: 1, applicationName: 'read-cache-no-triggers' });
    try {
      await pool.query('DROP TRIGGER users_read_cache_announce ON users');
      const failures: string[] = [];
      const caches = openReadCaches(createRepositories(pool), {
        ttlMs: 60_000,
        directUrl: bare.url,
        applicationName: 'read-cache-no-triggers',
        onConnectionChange: (connected, error) => {
          if (!connected && error) failures.push(error.message);
        },
      });
      open.push(caches);
      await eventually(() => failures.length > 0 && failures, 'the feed to give up on this database');
      expect(failures[0]).toContain('users_read_cache_announce');
      expect(caches.isCurrent()).toBe(false);
    } finally {
      await Promise.all(open.splice(0).map((caches) => caches.close()));
      await pool.close();
      await bare.drop();
    }
  });
});

/** Milliseconds until `probe` holds, polling (the deadline fails the test; the poll step is not what is measured). */
async function timeUntil(probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  await eventually(async () => (await probe()) || undefined, 'the change to be seen', 5_000, 5);
  return Date.now() - started;
}
