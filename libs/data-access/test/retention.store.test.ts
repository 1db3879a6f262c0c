import { createTestDatabase, seedWithoutTriggers, withPgClient, type TestDatabase } from '@pandora/testing';
import type { RetentionKind } from '@pandora/domain';
import pg from 'pg';
import { batchStatements, Database, PgRetentionStore, sqlState, type Statement } from '../src';

/** The retention queries against real PostgreSQL, including the audit trigger behind them. */
let db: TestDatabase;
let database: Database;
beforeEach(async () => {
  db = await createTestDatabase();
  database = new Database({ url: db.url, poolMax: 3, applicationName: 'retention-store-tests' });
});
afterEach(async () => {
  await database.close();
  await db.drop();
});

const sql = (text: string, values: unknown[] = []) => withPgClient(db.url, async (client) => (await client.query(text, values)).rows);
const count = async (table: string) => ((await sql(`SELECT count(*)::int AS n FROM ${table}`))[0] as { n: number }).n;

/** Audit rows retained until now() + `retention`; expired ones need the triggers off (the database dates rows itself). */
async function seedAudit(n: number, retention: string): Promise<void> {
  await seedWithoutTriggers(
    db.url,
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

/** One user's session with `tokens` refresh tokens; times are SQL intervals relative to now(). */
async function seedSession(spec: { expires: string; revoked?: string; tokens: number }): Promise<string> {
  const rows = await sql(
    `WITH owner AS (
       INSERT INTO users (id, email, password_hash, first_name, last_name)
       VALUES (gen_random_uuid(), 'owner.' || gen_random_uuid() || '@example.com', 'x', 'A', 'B') RETURNING id
     ), session AS (
       INSERT INTO sessions (id, user_id, expires_at, absolute_expires_at, revoked_at)
       SELECT gen_random_uuid(), owner.id, now() + $1::interval, now() + $1::interval, now() + $2::interval FROM owner RETURNING id
     ), tokens AS (
       INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at)
       SELECT gen_random_uuid(), session.id, encode(sha256(gen_random_uuid()::text::bytea), 'hex'), now() FROM session, generate_series(1, $3::int)
     )
     SELECT id FROM session`,
    [spec.expires, spec.revoked ?? null, spec.tokens],
  );
  return (rows[0] as { id: string }).id;
}

const tokensOf = async (sessionId: string) =>
  ((await sql('SELECT count(*)::int AS n FROM refresh_tokens WHERE session_id = $1', [sessionId]))[0] as { n: number }).n;

async function drain(store: PgRetentionStore, kind: RetentionKind, cutoff: Date, limit: number): Promise<number[]> {
  const batches: number[] = [];
  for (let deleted = -1; deleted !== 0;) {
    deleted = await store.deleteExpiredBatch(kind, cutoff, limit);
    batches.push(deleted);
  }
  return batches;
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

describe('PgRetentionStore', () => {
  it('is stopped by the audit trigger if it were ever asked to delete a retained row, and the whole batch rolls back', async () => {
    await seedAudit(3, '-1 day');
    await seedAudit(2, '1 day');
    const store = new PgRetentionStore(database);
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
    const store = new PgRetentionStore(database);
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
    const store = new PgRetentionStore(database, { lockTimeoutMs: 100, maxAttempts: 10 });
    // Part of the scenario, not a wait: the other transaction commits 300 ms later, after some of the batch's attempts timed out.
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
    const store = new PgRetentionStore(database, { lockTimeoutMs: 50, maxAttempts: 3 });
    try {
      const failure = await store
        .deleteExpiredBatch('sessions', new Date(Date.now() - 7 * 86_400_000), 100)
        .catch((error: unknown) => error);
      expect(sqlState(failure)).toBe('55P03');
    } finally {
      await held.release();
    }
    expect(await count('sessions')).toBe(1);
  });

  it('deletes the refresh tokens of exactly the sessions its next session batch takes, at most `limit` per transaction', async () => {
    const oldest = await seedSession({ expires: '-30 days', tokens: 30 });
    const older = await seedSession({ expires: '-20 days', tokens: 25 });
    const old = await seedSession({ expires: '-10 days', tokens: 4 });
    const revoked = await seedSession({ expires: '10 days', revoked: '-9 days', tokens: 12 });
    const live = await seedSession({ expires: '10 days', tokens: 5 });
    const store = new PgRetentionStore(database);
    const cutoff = new Date((await store.now()).getTime() - 7 * 86_400_000);

    // With limit 2 the next session batch takes the two oldest expired sessions: their 55 tokens go.
    expect(await drain(store, 'refresh_tokens', cutoff, 2)).toEqual([2, 2, ...Array(25).fill(2), 1, 0]);
    expect([await tokensOf(oldest), await tokensOf(older), await tokensOf(old)]).toEqual([0, 0, 4]);
    expect(await store.deleteExpiredBatch('sessions', cutoff, 2)).toBe(2);

    expect(await drain(store, 'refresh_tokens', cutoff, 10)).toEqual([4, 0]);
    expect(await store.deleteExpiredBatch('sessions', cutoff, 10)).toBe(1);
    // Revoked sessions only once no expired one is left, as the session batch takes them.
    expect(await tokensOf(revoked)).toBe(12);
    expect(await drain(store, 'refresh_tokens', cutoff, 10)).toEqual([10, 2, 0]);
    expect(await store.deleteExpiredBatch('sessions', cutoff, 10)).toBe(1);

    expect(await drain(store, 'refresh_tokens', cutoff, 10)).toEqual([0]);
    expect(await tokensOf(live)).toBe(5);
    expect(await count('sessions')).toBe(1);
  });

  it('skips refresh tokens another transaction holds, and deletes them once they are free', async () => {
    const sessionId = await seedSession({ expires: '-30 days', tokens: 6 });
    const held = await holdLocks('SELECT id FROM refresh_tokens WHERE session_id = $1 LIMIT 2 FOR UPDATE', [sessionId]);
    const store = new PgRetentionStore(database);
    const cutoff = new Date(Date.now() - 7 * 86_400_000);
    try {
      expect(await drain(store, 'refresh_tokens', cutoff, 100)).toEqual([4, 0]);
    } finally {
      await held.release();
    }
    expect(await drain(store, 'refresh_tokens', cutoff, 100)).toEqual([2, 0]);
  });

  it('counts exactly what it would delete, for each kind', async () => {
    await seedAudit(4, '-1 hour');
    await seedAudit(1, '1 hour');
    await seedExpiredSessionWithToken();
    const store = new PgRetentionStore(database);
    const now = await store.now();
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
    expect(await store.countExpired('audit_logs', now)).toBe(4);
    expect(await store.countExpired('sessions', weekAgo)).toBe(1);
    expect(await store.countExpired('refresh_tokens', weekAgo)).toBe(1);
    expect(await store.countExpired('outbox_events', weekAgo)).toBe(0);
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/**
 * The plan of a batch statement with sequential and bitmap scans priced out: what remains shows
 * whether an index can serve the statement, and a Sort node whether its ORDER BY follows the index.
 */
async function planOf(statement: Statement): Promise<PlanNode[]> {
  const rows = await database.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off');
    const explained = await tx.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (FORMAT JSON) ${statement.text}`,
      statement.values,
    );
    return explained.rows;
  });
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error('EXPLAIN returned no plan');
  return planNodes(plan);
}

const indexScansOf = (nodes: PlanNode[]) =>
  nodes.filter((node) => node['Node Type'] === 'Index Scan' || node['Node Type'] === 'Index Only Scan').map((node) => node['Index Name']);

describe('the plans of the retention batches', () => {
  const expected: Array<[RetentionKind, string[][]]> = [
    ['audit_logs', [['audit_logs_retention_until_idx', 'audit_logs_pkey']]],
    // The expired sessions' index twice: for the batch, and to tell whether any expired one is left.
    [
      'refresh_tokens',
      [
        [
          'sessions_expires_at_idx',
          'sessions_expires_at_idx',
          'sessions_revoked_at_idx',
          'refresh_tokens_session_id_idx',
          'refresh_tokens_pkey',
        ],
      ],
    ],
    [
      'sessions',
      [
        ['sessions_expires_at_idx', 'sessions_pkey'],
        ['sessions_revoked_at_idx', 'sessions_pkey'],
      ],
    ],
    ['outbox_events', [['outbox_events_published_at_idx', 'outbox_events_pkey']]],
  ];

  it.each(expected)('of %s walk their indexes, in index order (no Sort) and with no sequential scan', async (kind, indexes) => {
    // A backlog of expired rows, as in production: the statistics then say that the range of the
    // kind's index matches many rows, and the DELETE has to find its batch by primary key.
    await seedAudit(20_000, '-1 day');
    await sql(
      `WITH owner AS (
         INSERT INTO users (id, email, password_hash, first_name, last_name) VALUES (gen_random_uuid(), 'backlog@example.com', 'x', 'A', 'B') RETURNING id
       ), session AS (
         INSERT INTO sessions (id, user_id, expires_at, absolute_expires_at, revoked_at)
         SELECT gen_random_uuid(), owner.id, now() - interval '30 days', now() - interval '30 days', now() - interval '31 days'
         FROM owner, generate_series(1, 20000) RETURNING id
       )
       INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at)
       SELECT gen_random_uuid(), session.id, encode(sha256(gen_random_uuid()::text::bytea), 'hex'), now() FROM session, generate_series(1, 2)`,
    );
    await sql(
      `INSERT INTO outbox_events (id, event_type, payload, metadata, occurred_at, published_at)
       SELECT gen_random_uuid(), 'user.registered', '{}', '{}', now(), now() - interval '30 days' FROM generate_series(1, 20000)`,
    );
    await sql('ANALYZE');
    const now = Date.now();
    const statements = batchStatements(kind, new Date(kind === 'audit_logs' ? now : now - 7 * 86_400_000), 5_000);
    expect(statements).toHaveLength(indexes.length);

    for (const [index, statement] of statements.entries()) {
      const nodes = await planOf(statement);
      expect(nodes.map((node) => node['Node Type'])).not.toEqual(expect.arrayContaining([expect.stringMatching(/Sort|Seq Scan/)]));
      expect(indexScansOf(nodes).sort()).toEqual([...(indexes[index] ?? [])].sort());
    }
  });
});
