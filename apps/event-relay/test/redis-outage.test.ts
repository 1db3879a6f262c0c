import { StreamConsumer } from '@pandora/event-stream';
import { createLogger } from '@pandora/observability';
import { createTestDatabase, PrivateRedis, type TestDatabase } from '@pandora/testing';
import Redis from 'ioredis';
import { startRelay, startUserApi, type AppProcess, type Infrastructure } from './support/processes';
import { eventually, outboxRows, perUserOrderViolations, readStream } from './support/stream';
import { registerAccount, renameAccount } from './support/user-api-client';

/**
 * A private redis-server (append-only, fsync always: what it acknowledged survives kill -9) is
 * killed during a burst of API calls and started again. The real user-api process keeps answering,
 * the real relay process reports Redis down and recovers without restarting, and every committed
 * change reaches the stream and a consumer group.
 */
const PREFIX = 'outage:';
let db: TestDatabase;
let privateRedis: PrivateRedis;
let api: AppProcess;
let relay: AppProcess;
let raw: Redis;

beforeAll(async () => {
  db = await createTestDatabase();
  privateRedis = await PrivateRedis.start({ durable: true });
  const infra: Infrastructure = { databaseUrl: db.url, redisUrl: privateRedis.url, redisKeyPrefix: PREFIX };
  [api, relay] = await Promise.all([
    startUserApi(infra),
    startRelay(infra, { EVENT_RELAY_BATCH_SIZE: '20', EVENT_RELAY_PUBLISH_TIMEOUT: '1s', EVENT_RELAY_MAX_BACKOFF: '500ms' }),
  ]);
  raw = new Redis(privateRedis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  raw.on('error', () => undefined);
  await raw.connect();
}, 90_000);
afterAll(async () => {
  await Promise.all([api?.stop(), relay?.stop()]);
  await raw?.quit().catch(() => raw.disconnect());
  await privateRedis?.destroy();
  await db.drop();
});

async function readiness(process: AppProcess): Promise<{ status: number; body: { checks?: Record<string, string> } }> {
  const response = await fetch(`${process.url}/ready`);
  return { status: response.status, body: (await response.json()) as { checks?: Record<string, string> } };
}

describe('Redis going away during a burst', () => {
  it('keeps the API answering, and loses nothing once Redis is back', async () => {
    const consumerRedis = new Redis(privateRedis.url, {
      keyPrefix: PREFIX,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 1_000),
    });
    consumerRedis.on('error', () => undefined);
    await consumerRedis.connect();
    const consumed = new Set<string>();
    const consumer = new StreamConsumer({
      redis: consumerRedis,
      stream: 'user-service:events',
      group: 'wallet',
      consumer: 'wallet-1',
      startFrom: 'beginning',
      blockMs: 200,
      maxBackoffMs: 500,
      logger: createLogger({ service: 'wallet-test', level: 'error' }),
      handlers: {
        'user.registered': (event) => void consumed.add(event.eventId),
        'user.profile.updated': (event) => void consumed.add(event.eventId),
      },
    });
    await consumer.start();

    // 12 users × (register + 8 renames) = 108 state changes, 4 users at a time.
    let completed = 0;
    const failures: string[] = [];
    const burst = (async () => {
      for (let wave = 0; wave < 3; wave++) {
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            try {
              const account = await registerAccount(api.url);
              completed++;
              for (let i = 1; i <= 8; i++) {
                await renameAccount(api.url, account, `Burst${i}`);
                completed++;
              }
            } catch (error) {
              failures.push((error as Error).message);
            }
          }),
        );
      }
    })();

    await eventually(async () => completed >= 25 && true, 'the burst to get going', 60_000, 5);
    await privateRedis.kill();
    const atKill = completed;

    const down = await eventually(
      async () => {
        const ready = await readiness(relay);
        return ready.status === 503 && ready.body.checks?.redis === 'down' && ready;
      },
      'the relay to report Redis down',
      20_000,
    );
    expect(down.body.checks?.database).toBe('up');
    expect((await fetch(`${relay.url}/health`)).status).toBe(200);
    // The API keeps changing state (and writing events to the outbox) while Redis is away.
    await eventually(async () => completed >= atKill + 25 && true, 'API calls to succeed while Redis is down', 60_000, 10);
    const whileDown = completed - atKill;
    // The relay meets the outage (a batch Redis refused) and stays up; that it lives on through it, the drain below proves.
    const refusedBatches = () =>
      relay.logs().filter((line) => line.message === 'Redis did not accept the events; they stay in the outbox and are retried').length;
    await eventually(async () => refusedBatches() >= 1, 'a refused batch');
    expect(relay.exited()).toBe(false);

    await privateRedis.restart();
    await burst;
    expect(failures).toEqual([]);
    expect(completed).toBe(108);

    await eventually(async () => (await outboxRows(db.url)).every((row) => row.publishedAt !== null), 'the outbox to drain', 60_000);
    const rows = await outboxRows(db.url);
    expect(rows).toHaveLength(108);
    const entries = await readStream(raw, `${PREFIX}user-service:events`);
    const inStream = new Set(entries.map((entry) => entry.eventId));
    expect(rows.filter((row) => !inStream.has(row.id))).toEqual([]);
    expect(perUserOrderViolations(entries, rows)).toEqual([]);
    // The relay retried instead of giving up or crashing: some rows record failed attempts.
    expect(rows.some((row) => row.attempts > 0)).toBe(true);
    expect(relay.exited()).toBe(false);
    await eventually(async () => (await readiness(relay)).status === 200, 'the relay to be ready again');

    await eventually(async () => rows.every((row) => consumed.has(row.id)) && true, 'the consumer group to receive every event', 30_000);
    await consumer.stop();
    await consumerRedis.quit();
    console.info(
      `event-relay: ${whileDown} API calls succeeded while Redis was down; ${entries.length} entries for ${rows.length} events after recovery`,
    );
  }, 180_000);
});
