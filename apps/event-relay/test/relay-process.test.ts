import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, createTestRedis, withPgClient, WORKSPACE_ROOT, type TestDatabase, type TestRedis } from '@pandora/testing';
import { startRelay, startUserApi, type AppProcess, type Infrastructure } from './support/processes';
import { eventually, insertVolume, outboxRows, perUserOrderViolations, readStream } from './support/stream';
import { registerAccount, renameAccount } from './support/user-api-client';

/**
 * The relay as a real OS process: stopped while the API works, killed with SIGKILL in the middle
 * of a batch, stopped with SIGTERM. Nothing committed may be missing from the stream afterwards.
 */
let db: TestDatabase;
let redis: TestRedis;
let infra: Infrastructure;
let api: AppProcess;
const relays: AppProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
  infra = { databaseUrl: db.url, redisUrl: redis.url, redisKeyPrefix: redis.keyPrefix };
  api = await startUserApi(infra);
}, 60_000);
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop('SIGKILL')));
});
afterAll(async () => {
  await api?.stop();
  await redis.cleanup();
  await db.drop();
});

async function relay(env: Record<string, string>): Promise<AppProcess> {
  // Longer than the volume used here: the default MAXLEN ~ 10000 would trim what the test checks.
  const started = await startRelay(infra, { EVENTS_STREAM_MAXLEN: '1000000', ...env });
  relays.push(started);
  return started;
}

async function markEverythingPublished(): Promise<void> {
  await withPgClient(db.url, (client) => client.query('UPDATE outbox_events SET published_at = now() WHERE published_at IS NULL'));
}

async function unpublishedIds(): Promise<Set<string>> {
  return new Set((await outboxRows(db.url)).filter((row) => row.publishedAt === null).map((row) => row.id));
}

describe('the event-relay process', () => {
  it('publishes all 100 changes made while it was stopped, once each, in per-user order', async () => {
    const stream = `events-${randomUUID().slice(0, 8)}`;
    // Ten users, each registering and renaming themselves nine times: 100 state changes, no relay.
    const accounts = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const account = await registerAccount(api.url);
        for (let i = 1; i <= 9; i++) await renameAccount(api.url, account, `Ada${i}`);
        return account;
      }),
    );
    const rows = (await outboxRows(db.url)).filter((row) => accounts.some((account) => account.id === row.aggregateId));
    expect(rows).toHaveLength(100);
    expect(rows.every((row) => row.publishedAt === null)).toBe(true);

    await relay({ EVENTS_STREAM: stream, EVENT_RELAY_BATCH_SIZE: '16' });
    const entries = await eventually(async () => {
      const found = await readStream(redis.raw, `${redis.keyPrefix}${stream}`);
      return found.length >= 100 && found;
    }, 'the 100 events');
    await eventually(async () => (await unpublishedIds()).size === 0, 'every row to be marked published');

    expect(entries.map((entry) => entry.eventId).sort()).toEqual(rows.map((row) => row.id).sort());
    expect(perUserOrderViolations(entries, rows)).toEqual([]);
    for (const account of accounts) {
      const names = entries.filter((entry) => entry.userId === account.id).map((entry) => entry.payload.first_name);
      expect(names).toEqual(['Ada', 'Ada1', 'Ada2', 'Ada3', 'Ada4', 'Ada5', 'Ada6', 'Ada7', 'Ada8', 'Ada9']);
    }
  }, 120_000);

  it('loses nothing when killed with SIGKILL in the middle of a batch (duplicates keep their event_id)', async () => {
    const stream = `events-${randomUUID().slice(0, 8)}`;
    const key = `${redis.keyPrefix}${stream}`;
    await markEverythingPublished();
    const earlier = new Set((await outboxRows(db.url)).map((row) => row.id));
    await insertVolume(db.url, 20_000, 200);
    // Real changes through the API interleave with the volume.
    const account = await registerAccount(api.url);
    for (let i = 1; i <= 5; i++) await renameAccount(api.url, account, `Killed${i}`);

    // Hold row locks on the first batch the relay will read. Its SELECT takes no locks, so it
    // reads the batch and XADDs it, then its marking UPDATE waits on our locks: the kill is
    // certain to land between the XADD and the marking, the case that matters.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    // Who waits is watched from a connection of its own, outside any transaction: PostgreSQL
    // snapshots pg_stat_activity at its first read in a transaction and shows that same picture
    // until the transaction ends. Polled from the blocker's transaction, a first look taken before
    // the relay reached its marking (a slow start on a loaded machine) was all the test ever saw.
    const observer = new pg.Client({ connectionString: db.url });
    await observer.connect();
    try {
      await blocker.query('BEGIN');
      const locked = await blocker.query<{ id: string }>(
        'SELECT id FROM outbox_events WHERE published_at IS NULL ORDER BY seq LIMIT 500 FOR UPDATE',
      );
      expect(locked.rows).toHaveLength(500);
      const markingBackends = async (): Promise<number[]> => {
        // Only the relay's marking statement counts: any other backend waiting on a lock in this
        // database is not proof that this relay's batch reached the stream.
        const waiting = await observer.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'event-relay' AND wait_event_type = 'Lock'
              AND query LIKE '%UPDATE outbox_events%SET published_at%'`,
        );
        return waiting.rows.map((row) => row.pid);
      };
      // A first look before the relay even starts, on purpose: the look that once froze the test.
      // Whatever it finds (a previous relay's session PostgreSQL has not reaped yet) is not ours.
      const earlierBackends = new Set(await markingBackends());
      const victim = await relay({ EVENTS_STREAM: stream, EVENT_RELAY_BATCH_SIZE: '500' });
      // Queued on our locks = its batch is already in the stream and the marking has not happened.
      const pid = await eventually(
        async () => (await markingBackends()).find((candidate) => !earlierBackends.has(candidate)),
        'the relay to publish its first batch and wait to mark it',
        90_000,
        5,
      );
      await victim.stop('SIGKILL');
      // The dead relay's backend is still queued on our locks and would commit its marking the
      // moment we let go (PostgreSQL only notices a vanished client when it next writes to it).
      // A real crash can end either way; ending the backend here makes the test the harder case.
      await observer.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
      await observer.end();
    }
    const unpublished = await unpublishedIds();
    const inStream = await readStream(redis.raw, key);
    expect(inStream.length).toBe(500);
    expect(inStream.every((entry) => unpublished.has(entry.eventId))).toBe(true);

    await relay({ EVENTS_STREAM: stream, EVENT_RELAY_BATCH_SIZE: '500' });
    await eventually(async () => (await unpublishedIds()).size === 0, 'the backlog to drain after the restart', 90_000);

    const rows = await outboxRows(db.url);
    const expected = rows.filter((row) => !earlier.has(row.id));
    expect(expected).toHaveLength(20_006);
    const entries = await readStream(redis.raw, key);
    const published = new Set(entries.map((entry) => entry.eventId));
    expect(expected.filter((row) => !published.has(row.id))).toEqual([]);
    expect(published.size).toBe(expected.length);
    const duplicates = entries.length - published.size;
    expect(duplicates).toBeGreaterThan(0);
    expect(perUserOrderViolations(entries, rows)).toEqual([]);
    console.info(
      `event-relay: after SIGKILL, ${entries.length} stream entries for ${published.size} events (${duplicates} re-published duplicates)`,
    );
  }, 240_000);

  it('on SIGTERM turns readiness 503 at once, finishes its batch, releases the lease and exits 0', async () => {
    const stream = `events-${randomUUID().slice(0, 8)}`;
    const key = `${redis.keyPrefix}${stream}`;
    await markEverythingPublished();
    await insertVolume(db.url, 20_000, 100);

    // As in the SIGKILL test: our row locks make the first batch's marking wait, so the relay is
    // provably in the middle of a batch when the signal arrives and stays there until we let go.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM outbox_events WHERE published_at IS NULL ORDER BY seq LIMIT 500 FOR UPDATE');
      const first = await relay({ EVENTS_STREAM: stream, EVENT_RELAY_BATCH_SIZE: '500' });
      await eventually(async () => (await redis.raw.xlen(key)) > 0, 'the first batch to reach the stream', 30_000, 5);
      expect((await fetch(`${first.url}/ready`)).status).toBe(200);
      const code = first.stop('SIGTERM');

      const draining = await eventually(
        async () => {
          const response = await fetch(`${first.url}/ready`);
          return response.status === 503 && ((await response.json()) as { status: string });
        },
        'readiness to turn 503 while the batch is in flight',
        10_000,
        20,
      );
      expect(draining.status).toBe('shutting_down');
      expect(first.exited()).toBe(false);
      expect((await fetch(`${first.url}/health`)).status).toBe(200);

      await blocker.query('ROLLBACK');
      expect(await code).toBe(0);
      expect(first.output()).toContain('"message":"released the leader lease"');
      expect(first.output()).toContain('"message":"event-relay stopped"');
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }

    // Every entry it put in the stream was marked before it exited.
    const unpublished = await unpublishedIds();
    const inStream = await readStream(redis.raw, key);
    expect(inStream.filter((entry) => unpublished.has(entry.eventId))).toEqual([]);

    await relay({ EVENTS_STREAM: stream, EVENT_RELAY_BATCH_SIZE: '500' });
    await eventually(async () => (await unpublishedIds()).size === 0, 'the rest of the backlog', 90_000);
    const entries = await readStream(redis.raw, key);
    expect(new Set(entries.map((entry) => entry.eventId)).size).toBe(entries.length);
    expect(entries.length).toBeGreaterThanOrEqual(unpublished.size);
  }, 180_000);

  it('refuses to start with a clear message, not a stack trace, when a tracing variable is invalid', async () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'apps/event-relay/src/main.ts'], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', APP_ENV: 'test', OTEL_SAMPLE_RATE: 'half' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'Invalid configuration for event-relay:\n  - OTEL_SAMPLE_RATE: expected a number between 0 and 1 (got "half")',
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('refuses to start with a clear message when the configuration is invalid', async () => {
    const result = spawnSync(
      process.execPath,
      [path.join(WORKSPACE_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'apps/event-relay/src/main.ts'],
      {
        cwd: WORKSPACE_ROOT,
        env: { PATH: process.env.PATH ?? '', APP_ENV: 'prod', METRICS_PORT: 'ninety', EVENT_RELAY_BATCH_SIZE: '0' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration for event-relay');
    expect(result.stderr).toContain('METRICS_PORT: expected a TCP port');
    expect(result.stderr).toContain('EVENT_RELAY_BATCH_SIZE: expected an integer between 1 and 10000');
    expect(result.stderr).toContain('DATABASE_URL: required when APP_ENV=prod');
  }, 60_000);
});
