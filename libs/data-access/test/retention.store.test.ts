import { createTestDatabase, withPgClient, type TestDatabase } from '@pandora/testing';
import pg from 'pg';
import { createPrismaClient, PrismaRetentionStore, sqlState, type PrismaClient } from '../src';

/** The retention queries against real PostgreSQL, including the audit trigger behind them. */
let db: TestDatabase;
let prisma: PrismaClient;
beforeEach(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ url: db.url, poolMax: 2, applicationName: 'retention-store-tests' });
});
afterEach(async () => {
  await prisma.$disconnect();
  await db.drop();
});

const sql = (text: string, values: unknown[] = []) => withPgClient(db.url, async (client) => (await client.query(text, values)).rows);
const count = async (table: string) => ((await sql(`SELECT count(*)::int AS n FROM ${table}`))[0] as { n: number }).n;

async function seedAudit(n: number, retention: string): Promise<void> {
  await sql(
    `INSERT INTO audit_logs (id, event_type, event_category, severity, actor_type, action, status, retention_until)
     SELECT gen_random_uuid(), 'user.registered', 'user', 'info', 'user', 'register', 'success', now() + $2::interval
     FROM generate_series(1, $1::int)`,
    [n, retention],
  );
}

async function seedExpiredSessionWithToken(): Promise<{ sessionId: string; tokenId: string }> {
  const rows = await sql(
    `WITH owner AS (
       INSERT INTO users (id, email, password_hash, first_name, last_name)
       VALUES (gen_random_uuid(), 'owner.' || gen_random_uuid() || '@example.com', 'x', 'A', 'B') RETURNING id
     ), session AS (
       INSERT INTO sessions (id, user_id, expires_at, absolute_expires_at)
       SELECT gen_random_uuid(), owner.id, now() - interval '30 days', now() - interval '20 days' FROM owner RETURNING id
     )
     INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at)
     SELECT gen_random_uuid(), session.id, repeat('a', 64), now() - interval '30 days' FROM session
     RETURNING session_id, id`,
  );
  const row = rows[0] as { session_id: string; id: string };
  return { sessionId: row.session_id, tokenId: row.id };
}

/** A second connection that holds row locks the way a concurrent API transaction would. */
async function holdLocks(lockSql: string, values: unknown[]): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(lockSql, values);
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

describe('PrismaRetentionStore', () => {
  it('is stopped by the audit trigger if it were ever asked to delete a retained row, and the whole batch rolls back', async () => {
    await seedAudit(3, '-1 day');
    await seedAudit(2, '1 day');
    const store = new PrismaRetentionStore(prisma);
    const wrongCutoff = new Date(Date.now() + 2 * 86_400_000);

    const failure = await store.deleteExpiredBatch('audit_logs', wrongCutoff, 100).catch((error: unknown) => error);

    expect(sqlState(failure)).toBe('23000');
    expect((failure as Error).message).toMatch(/retained until/);
    expect(await count('audit_logs')).toBe(5);
    // With the real cutoff it deletes exactly the expired rows.
    expect(await store.deleteExpiredBatch('audit_logs', await store.now(), 100)).toBe(3);
    expect(await count('audit_logs')).toBe(2);
  });

  it('skips rows another transaction holds instead of waiting for them, and deletes them once they are free', async () => {
    await sql(
      `INSERT INTO outbox_events (id, event_type, payload, metadata, occurred_at, published_at)
       SELECT gen_random_uuid(), 'user.registered', '{}', '{}', now(), now() - interval '30 days' FROM generate_series(1, 10)`,
    );
    const held = await holdLocks('SELECT id FROM outbox_events ORDER BY seq LIMIT 4 FOR UPDATE', []);
    const store = new PrismaRetentionStore(prisma);
    const cutoff = new Date(Date.now() - 7 * 86_400_000);
    try {
      expect(await store.deleteExpiredBatch('outbox_events', cutoff, 100)).toBe(6);
      expect(await store.deleteExpiredBatch('outbox_events', cutoff, 100)).toBe(0);
    } finally {
      await held.release();
    }
    expect(await store.deleteExpiredBatch('outbox_events', cutoff, 100)).toBe(4);
  });

  it('retries a session batch that timed out on a refresh token another transaction holds, and succeeds once it is released', async () => {
    const { sessionId, tokenId } = await seedExpiredSessionWithToken();
    const held = await holdLocks('SELECT id FROM refresh_tokens WHERE id = $1 FOR UPDATE', [tokenId]);
    const store = new PrismaRetentionStore(prisma, { lockTimeoutMs: 100, maxAttempts: 10 });
    const releaseSoon = new Promise<void>((resolve) => setTimeout(() => void held.release().then(resolve), 300));

    const started = Date.now();
    const deleted = await store.deleteExpiredBatch('sessions', new Date(Date.now() - 7 * 86_400_000), 100);
    await releaseSoon;

    expect(deleted).toBe(1);
    // It could only succeed after the release: at least one attempt timed out and was retried.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await sql('SELECT id FROM sessions WHERE id = $1', [sessionId])).toEqual([]);
    expect(await count('refresh_tokens')).toBe(0);
  });

  it('gives up with lock_not_available after its attempts when the lock is never released, deleting nothing', async () => {
    const { tokenId } = await seedExpiredSessionWithToken();
    const held = await holdLocks('SELECT id FROM refresh_tokens WHERE id = $1 FOR UPDATE', [tokenId]);
    const store = new PrismaRetentionStore(prisma, { lockTimeoutMs: 50, maxAttempts: 3 });
    try {
      const failure = await store.deleteExpiredBatch('sessions', new Date(Date.now() - 7 * 86_400_000), 100).catch((error: unknown) => error);
      expect(sqlState(failure)).toBe('55P03');
    } finally {
      await held.release();
    }
    expect(await count('sessions')).toBe(1);
  });

  it('counts exactly what it would delete, for each kind', async () => {
    await seedAudit(4, '-1 hour');
    await seedAudit(1, '1 hour');
    await seedExpiredSessionWithToken();
    const store = new PrismaRetentionStore(prisma);
    const now = await store.now();
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
    expect(await store.countExpired('audit_logs', now)).toBe(4);
    expect(await store.countExpired('sessions', weekAgo)).toBe(1);
    expect(await store.countExpired('outbox_events', weekAgo)).toBe(0);
  });
});
