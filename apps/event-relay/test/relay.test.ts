import { randomUUID } from 'node:crypto';
import { createDomainEvent } from '@pandora/domain';
import {
  createEmptyDatabase,
  createTestDatabase,
  createTestRedis,
  withPgClient,
  type TestDatabase,
  type TestRedis,
} from '@pandora/testing';
import { startInProcessRelay, type InProcessRelay } from './support/in-process-relay';
import type { Infrastructure } from './support/processes';
import { eventually, insertVolume, outboxRows, perUserOrderViolations, readStream } from './support/stream';
import { createDomain, PASSWORD, requestContext, uniqueEmail, type Domain } from './support/use-cases';

/**
 * The relay loop in-process against real PostgreSQL and Redis: the wire format, wake-ups,
 * batching, refusal handling and metrics. The process-level guarantees (restarts, kill -9,
 * outages, replicas) are in the *-process / outage / replicas suites.
 */
let db: TestDatabase;
let redis: TestRedis;
let domain: Domain;
let infra: Infrastructure;
let relay: InProcessRelay | null = null;
let streamName: string;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
  domain = await createDomain(db.url);
  infra = { databaseUrl: db.url, redisUrl: redis.url, redisKeyPrefix: redis.keyPrefix };
});
afterEach(async () => {
  await relay?.stop();
  relay = null;
});
afterAll(async () => {
  await domain.close();
  await redis.cleanup();
  await db.drop();
});
beforeEach(() => {
  // Each test publishes to its own stream; the outbox is shared, so tests only count their own events.
  streamName = `events-${randomUUID().slice(0, 8)}`;
});

const fullKey = () => `${redis.keyPrefix}${streamName}`;

async function start(env: Record<string, string> = {}): Promise<InProcessRelay> {
  relay = await startInProcessRelay(infra, { EVENTS_STREAM: streamName, ...env });
  return relay;
}

async function register(requestId = `req-${randomUUID().slice(0, 8)}`) {
  return domain.useCases.register.execute(
    { email: uniqueEmail('relay'), password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' },
    requestContext(requestId),
  );
}

async function unpublishedCount(): Promise<number> {
  return (await outboxRows(db.url)).filter((row) => row.publishedAt === null).length;
}

describe('the outbox relay', () => {
  it('publishes a committed event as one entry with exactly the documented fields, then marks it published', async () => {
    await start();
    const { user } = await register('req-format');
    const entries = await eventually(async () => {
      const found = await readStream(redis.raw, fullKey());
      return found.some((entry) => entry.userId === user.id) && found;
    }, 'the registration event');
    const entry = entries.find((candidate) => candidate.userId === user.id);
    const row = (await outboxRows(db.url)).find((candidate) => candidate.id === entry?.eventId);

    expect(Object.keys(entry?.fields ?? {})).toEqual(['event_id', 'event_type', 'user_id', 'timestamp', 'payload', 'metadata']);
    expect(entry?.fields).toEqual({
      event_id: row?.id,
      event_type: 'user.registered',
      user_id: user.id,
      timestamp: user.createdAt.toISOString(),
      payload: expect.any(String),
      metadata: expect.any(String),
    });
    expect(entry?.payload).toEqual({ email: user.email, first_name: 'Ada', last_name: 'Lovelace', role: 'user' });
    expect(entry?.metadata).toEqual({
      request_id: 'req-format',
      ip_address: '203.0.113.9',
      user_agent: 'relay-tests/1.0',
      actor_id: user.id,
      actor_type: 'user',
    });
    await eventually(
      async () => (await outboxRows(db.url)).find((candidate) => candidate.id === row?.id)?.publishedAt ?? false,
      'published_at',
    );
    // The stream key went through the client's prefix, like every other key.
    expect(await redis.raw.exists(streamName)).toBe(0);
  });

  it('wakes on NOTIFY at commit instead of waiting for its polling interval', async () => {
    await start({ EVENT_RELAY_POLL_INTERVAL: '5m' });
    await eventually(async () => relay?.app.relay.currentRole() === 'leader', 'leadership');
    // Its first fetch is over and it waits (idle after reading the outbox): only a notification can wake it now.
    await eventually(
      () =>
        withPgClient(db.url, async (client) => {
          const { rows } = await client.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = 'event-relay' AND state = 'idle' AND query LIKE '%published_at IS NULL%'`,
          );
          return (rows[0]?.n ?? 0) > 0;
        }),
      'the relay to wait after its first fetch',
    );
    const { user } = await register();
    const committedAt = Date.now();
    await eventually(
      async () => (await readStream(redis.raw, fullKey())).some((entry) => entry.userId === user.id),
      'the event',
      10_000,
      10,
    );
    const latencyMs = Date.now() - committedAt;
    // Anything under the 5-minute poll can only be the notification; the figure is in the report.
    expect(latencyMs).toBeLessThan(10_000);
    console.info(`event-relay: commit → stream via NOTIFY in ${latencyMs} ms`);
  });

  it('still publishes by polling when notifications do not arrive', async () => {
    await withPgClient(db.url, (client) => client.query('ALTER TABLE outbox_events DISABLE TRIGGER outbox_events_notify'));
    try {
      await start({ EVENT_RELAY_POLL_INTERVAL: '300ms' });
      await eventually(async () => relay?.app.relay.currentRole() === 'leader', 'leadership');
      const { user } = await register();
      await eventually(
        async () => (await readStream(redis.raw, fullKey())).some((entry) => entry.userId === user.id),
        'the polled event',
        10_000,
      );
    } finally {
      await withPgClient(db.url, (client) => client.query('ALTER TABLE outbox_events ENABLE TRIGGER outbox_events_notify'));
    }
  });

  it('never publishes the events of a rolled-back transaction', async () => {
    await start();
    const doomed = createDomainEvent({
      id: randomUUID(),
      type: 'user.password.changed',
      userId: randomUUID(),
      occurredAt: new Date(),
      payload: { email: 'doomed@example.com' },
      metadata: {},
    });
    await expect(
      domain.uow.run(async (repositories) => {
        await repositories.outbox.append(doomed);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    const { user } = await register();
    await eventually(async () => (await readStream(redis.raw, fullKey())).some((entry) => entry.userId === user.id), 'a later event');
    expect((await readStream(redis.raw, fullKey())).map((entry) => entry.eventId)).not.toContain(doomed.id);
  });

  it('publishes a row that commits after newer rows were already published (nothing is skipped)', async () => {
    await start();
    const { user: slowUser } = await register();
    const late = createDomainEvent({
      id: randomUUID(),
      type: 'user.password.changed',
      userId: slowUser.id,
      occurredAt: new Date(),
      payload: { email: slowUser.email },
      metadata: { request_id: 'req-late' },
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let appended: () => void = () => undefined;
    const inTransaction = new Promise<void>((resolve) => (appended = resolve));
    // A transaction takes its seq now and commits only after later transactions were published. (The
    // outbox insert is held until the transaction's next statement, docs/database.md: that read sends it.)
    const slow = domain.uow.run(async (repositories) => {
      await repositories.outbox.append(late);
      await repositories.users.findById(slowUser.id);
      appended();
      await gate;
    });
    await inTransaction;
    const { user: quickUser } = await register();
    await eventually(
      async () => (await readStream(redis.raw, fullKey())).some((entry) => entry.userId === quickUser.id),
      'the newer event',
    );
    expect((await readStream(redis.raw, fullKey())).map((entry) => entry.eventId)).not.toContain(late.id);

    release();
    await slow;
    await eventually(async () => (await readStream(redis.raw, fullKey())).some((entry) => entry.eventId === late.id), 'the late event');
    const rows = await outboxRows(db.url);
    const seq = (id: string) => rows.find((row) => row.id === id)?.seq ?? -1;
    const quickEventId = (await readStream(redis.raw, fullKey())).find((entry) => entry.userId === quickUser.id)?.eventId as string;
    expect(seq(late.id)).toBeLessThan(seq(quickEventId));
  });

  it('publishes a backlog in pipelined batches, in seq order per user', async () => {
    await withPgClient(db.url, (client) => client.query('UPDATE outbox_events SET published_at = now() WHERE published_at IS NULL'));
    await insertVolume(db.url, 3_000, 40);
    const started = Date.now();
    await start({ EVENT_RELAY_BATCH_SIZE: '250' });
    await eventually(async () => (await unpublishedCount()) === 0, 'the backlog to drain', 60_000);
    const elapsedMs = Date.now() - started;
    const entries = await readStream(redis.raw, fullKey());
    expect(entries).toHaveLength(3_000);
    expect(new Set(entries.map((entry) => entry.eventId)).size).toBe(3_000);
    expect(perUserOrderViolations(entries, await outboxRows(db.url))).toEqual([]);
    const batches = relay?.logs.filter((line) => line.message === 'published outbox events') ?? [];
    expect(batches.length).toBeGreaterThanOrEqual(12);
    expect(Math.max(...batches.map((line) => line.count as number))).toBe(250);
    console.info(
      `event-relay: 3000-event backlog drained in ${elapsedMs} ms (${Math.round(3_000 / (elapsedMs / 1000))} events/s, batch 250)`,
    );
  });

  it('trims the stream with MAXLEN ~', async () => {
    await withPgClient(db.url, (client) => client.query('UPDATE outbox_events SET published_at = now() WHERE published_at IS NULL'));
    await insertVolume(db.url, 1_500, 10);
    await start({ EVENTS_STREAM_MAXLEN: '200', EVENT_RELAY_BATCH_SIZE: '100' });
    await eventually(async () => (await unpublishedCount()) === 0, 'the backlog to drain', 60_000);
    const length = await redis.raw.xlen(fullKey());
    // Approximate trimming keeps at least MAXLEN and removes whole macro nodes (100 entries each).
    expect(length).toBeGreaterThanOrEqual(200);
    expect(length).toBeLessThan(1_500);
  });

  it('keeps events whose batch Redis refused in the outbox, records the attempts, and publishes them once Redis accepts', async () => {
    // A string where the stream should be: every XADD fails with WRONGTYPE.
    await redis.raw.set(fullKey(), 'not a stream');
    await start();
    const { user } = await register();
    const row = await eventually(async () => {
      const found = (await outboxRows(db.url)).find((candidate) => candidate.aggregateId === user.id);
      return found && found.attempts >= 2 && found;
    }, 'failed attempts to be recorded');
    expect(row.publishedAt).toBeNull();
    expect(row.lastError).toMatch(/WRONGTYPE/);

    await redis.raw.del(fullKey());
    await eventually(
      async () => (await readStream(redis.raw, fullKey())).some((entry) => entry.userId === user.id),
      'the event after recovery',
    );
    // The row is marked after its XADD (at-least-once), so the mark may land a moment later.
    const after = await eventually(async () => {
      const found = (await outboxRows(db.url)).find((candidate) => candidate.id === row.id);
      return found?.publishedAt ? found : undefined;
    }, 'the row to be marked published');
    expect(after.publishedAt).not.toBeNull();
    expect(after.lastError).toBeNull();
  });

  it('backs off against a database it cannot use (unmigrated) instead of spinning, and is not ready', async () => {
    const empty = await createEmptyDatabase();
    try {
      relay = await startInProcessRelay({ ...infra, databaseUrl: empty.url }, { EVENTS_STREAM: streamName, EVENT_RELAY_MAX_BACKOFF: '2s' });
      const startedAt = Date.now();
      const retried = () => (relay?.logs ?? []).filter((line) => line.message === 'PostgreSQL unavailable; the relay retries');
      // Two retries at least, observed over 3 s at least: the upper bound below is a rate ("not
      // spinning"), so it needs that stretch of time; a loaded machine only makes it longer.
      await eventually(async () => retried().length >= 2 && Date.now() - startedAt >= 3_000, 'two retries in 3 s or more');
      const retries = retried();
      // 200 ms doubling to a 2 s cap (with jitter): a handful of attempts in 3 s, escalating.
      expect(retries.length).toBeGreaterThanOrEqual(2);
      expect(retries.length).toBeLessThanOrEqual(10);
      expect(retries.map((line) => line.attempt)).toEqual(retries.map((_, index) => index + 1));
      expect(String(retries[0]?.error)).toMatch(/outbox_events/);
      const ready = await fetch(`${relay.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'not_ready', checks: { database: 'down', redis: 'up' } });
    } finally {
      await relay?.stop();
      relay = null;
      await empty.drop();
    }
  });

  it('serves /health, /ready and the relay metrics', async () => {
    await start();
    await eventually(async () => relay?.app.relay.currentRole() === 'leader', 'leadership');
    await register();
    await eventually(async () => (await unpublishedCount()) === 0, 'everything to be published');

    expect(await (await fetch(`${relay?.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${relay?.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up' } });

    const metrics = await (await fetch(`${relay?.url}/metrics`)).text();
    expect(metrics).toMatch(/^# TYPE outbox_pending_events gauge$/m);
    expect(metrics).toMatch(/^outbox_pending_events 0$/m);
    expect(metrics).toMatch(/^# TYPE events_published_total counter$/m);
    expect(metrics).toMatch(/^events_published_total\{event_type="user.registered"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^# TYPE event_publish_lag_seconds histogram$/m);
    expect(metrics).toMatch(/^event_publish_lag_seconds_count [1-9]\d*$/m);
    expect(metrics).toMatch(/^event_relay_leader 1$/m);
    expect(metrics).toMatch(/^process_cpu_user_seconds_total /m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('reports pending events while Redis refuses them', async () => {
    await redis.raw.set(fullKey(), 'not a stream');
    await start();
    await register();
    const metricsText = await eventually(async () => {
      const text = await (await fetch(`${relay?.url}/metrics`)).text();
      return /^event_publish_failures_total [1-9]\d*$/m.test(text) && text;
    }, 'a refused batch');
    expect(metricsText).toMatch(/^outbox_pending_events [1-9]\d*$/m);
    await redis.raw.del(fullKey());
    await eventually(async () => (await unpublishedCount()) === 0, 'the outbox to drain');
  });
});
