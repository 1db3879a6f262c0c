import { createTestRedis, migrateDatabase, PrivatePostgres, type TestRedis } from '@pandora/testing';
import { startRelay, type AppProcess } from './support/processes';
import { eventually, insertVolume, outboxRows, perUserOrderViolations, readStream } from './support/stream';
import { createDomain, PASSWORD, requestContext, uniqueEmail } from './support/use-cases';

/**
 * A private PostgreSQL server crashes (`pg_ctl stop -m immediate`) while the real relay process
 * drains a backlog, and comes back: the relay reports the database down, keeps running, takes the
 * lease again and publishes every row.
 */
let pg: PrivatePostgres;
let redis: TestRedis;
let relay: AppProcess;

beforeAll(async () => {
  [pg, redis] = await Promise.all([PrivatePostgres.start(), createTestRedis()]);
  await migrateDatabase(pg.url);
}, 120_000);
afterAll(async () => {
  await relay?.stop('SIGKILL');
  await redis?.cleanup();
  await pg?.destroy();
});

async function registerSome(count: number): Promise<string[]> {
  const domain = await createDomain(pg.url);
  try {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { user } = await domain.useCases.register.execute(
        { email: uniqueEmail('pg'), password: PASSWORD, firstName: 'Pg', lastName: 'Outage' },
        requestContext(`req-pg-${i}`),
      );
      ids.push(user.id);
    }
    return ids;
  } finally {
    await domain.close();
  }
}

/** The relay has gone through `attempts` retries (and is still there to log them). */
const retriedAtLeast = (attempts: number) =>
  relay.logs().some((line) => line.message === 'PostgreSQL unavailable; the relay retries' && Number(line.attempt) >= attempts);

describe('PostgreSQL going away', () => {
  it('makes the relay wait and retry, then publish every row once the database is back', async () => {
    const key = `${redis.keyPrefix}user-service:events`;
    const before = await registerSome(5);
    await insertVolume(pg.url, 20_000, 50);
    relay = await startRelay(
      { databaseUrl: pg.url, redisUrl: redis.url, redisKeyPrefix: redis.keyPrefix },
      { EVENTS_STREAM_MAXLEN: '1000000', EVENT_RELAY_BATCH_SIZE: '200', EVENT_RELAY_MAX_BACKOFF: '500ms' },
    );
    // Crash the database while the relay is busy with the backlog.
    await eventually(async () => (await redis.raw.xlen(key)) > 0 && true, 'publishing to begin', 30_000, 5);
    await pg.crash();

    const down = await eventually(
      async () => {
        const response = await fetch(`${relay.url}/ready`);
        const body = (await response.json()) as { checks: Record<string, string> };
        return response.status === 503 && body.checks.database === 'down' && body;
      },
      'the relay to report the database down',
      20_000,
    );
    expect(down.checks.redis).toBe('up');
    await eventually(async () => relay.output().includes('PostgreSQL unavailable; the relay retries') && true, 'a retry to be logged');
    await eventually(async () => retriedAtLeast(3), 'two more retries');
    expect(relay.exited()).toBe(false);
    expect((await fetch(`${relay.url}/health`)).status).toBe(200);

    await pg.restart();
    const after = await registerSome(5);
    await eventually(async () => (await outboxRows(pg.url)).every((row) => row.publishedAt !== null), 'the outbox to drain', 90_000);

    const rows = await outboxRows(pg.url);
    expect(rows).toHaveLength(20_010);
    const entries = await readStream(redis.raw, key);
    const inStream = new Set(entries.map((entry) => entry.eventId));
    expect(rows.filter((row) => !inStream.has(row.id))).toEqual([]);
    expect(perUserOrderViolations(entries, rows)).toEqual([]);
    for (const id of [...before, ...after])
      expect(entries.some((entry) => entry.userId === id && entry.eventType === 'user.registered')).toBe(true);
    expect(relay.output()).toContain('"message":"PostgreSQL is reachable again"');
    await eventually(async () => (await fetch(`${relay.url}/ready`)).status === 200, 'the relay to be ready again');
    console.info(
      `event-relay: PostgreSQL crash mid-backlog: ${entries.length} entries for ${rows.length} events (${entries.length - inStream.size} duplicates)`,
    );
  }, 240_000);

  it('starts while PostgreSQL is down, stays up, and catches up once it is reachable', async () => {
    expect(await relay.stop('SIGTERM')).toBe(0);
    await pg.crash();
    relay = await startRelay(
      { databaseUrl: pg.url, redisUrl: redis.url, redisKeyPrefix: redis.keyPrefix },
      { EVENTS_STREAM: 'late-start', EVENT_RELAY_MAX_BACKOFF: '500ms' },
    );
    const ready = await fetch(`${relay.url}/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.database).toBe('down');
    await eventually(async () => retriedAtLeast(3), 'three retries');
    expect(relay.exited()).toBe(false);

    await pg.restart();
    const [userId] = await registerSome(1);
    await eventually(
      async () =>
        (await readStream(redis.raw, `${redis.keyPrefix}late-start`)).some(
          (entry) => entry.userId === userId && entry.eventType === 'user.registered',
        ),
      'the event registered after the database came up',
      60_000,
    );
  }, 120_000);
});
