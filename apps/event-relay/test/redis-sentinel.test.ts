import { randomUUID } from 'node:crypto';
import { createTestDatabase, PrivateRedisSentinel, type TestDatabase } from '@pandora/testing';
import Redis from 'ioredis';
import { startInProcessRelay, type InProcessRelay } from './support/in-process-relay';
import { startUserApi, type AppProcess, type Infrastructure } from './support/processes';
import { eventually, outboxRows, readStream } from './support/stream';
import { registerAccount } from './support/user-api-client';

/**
 * user-api and event-relay through Sentinel (one master, one replica, three sentinels), configured
 * with REDIS_SENTINELS + REDIS_SENTINEL_MASTER only. A SENTINEL FAILOVER during a burst of
 * registrations: the old master is demoted and resynchronised from the promoted replica, dropping
 * whatever the replica did not have. The relay marks a batch published only once a replica holds
 * it (WAIT), so every outbox row is in the new master's stream afterwards — counted by event_id.
 */
let sentinel: PrivateRedisSentinel;
let db: TestDatabase;
let api: AppProcess;
let relay: InProcessRelay;

const PREFIX = `sentinel-${randomUUID().slice(0, 8)}:`;
const STREAM_KEY = `${PREFIX}user-service:events`;

beforeAll(async () => {
  [sentinel, db] = await Promise.all([PrivateRedisSentinel.start(), createTestDatabase()]);
  const infra: Infrastructure = { databaseUrl: db.url, redisUrl: 'redis://unused.invalid:6379/0', redisKeyPrefix: PREFIX };
  [api, relay] = await Promise.all([
    startUserApi(infra, sentinel.env),
    startInProcessRelay(infra, {
      ...sentinel.env,
      // Small batches, so that many of them are in flight around the failover.
      EVENT_RELAY_BATCH_SIZE: '5',
      EVENT_RELAY_PUBLISH_TIMEOUT: '2s',
      EVENT_RELAY_WAIT_TIMEOUT: '500ms',
      EVENTS_STREAM_MAXLEN: '1000000',
    }),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all([api?.stop(), relay?.stop()]);
  await sentinel?.destroy();
  await db?.drop();
});

async function redisCheck(url: string): Promise<string> {
  try {
    const response = await fetch(`${url}/ready`);
    const body = (await response.json()) as { checks?: Record<string, string> };
    return body.checks?.redis ?? 'missing';
  } catch {
    return 'no answer';
  }
}

describe('through Sentinel', () => {
  it('a SENTINEL FAILOVER during a burst of registrations loses no event', async () => {
    expect(await redisCheck(relay.url)).toBe('up');
    expect(await redisCheck(api.url)).toBe('up');

    // What /ready said about Redis, sampled throughout.
    const seen = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [relayCheck, apiCheck] = await Promise.all([redisCheck(relay.url), redisCheck(api.url)]);
        seen.add(relayCheck).add(apiCheck);
        await new Promise((resolve) => setTimeout(resolve, 20)); // sampling period, not a wait for an outcome
      }
    })();
    try {
      const TOTAL = 90;
      let started = 0;
      let completed = 0;
      const failures: string[] = [];
      const burst = Promise.all(
        Array.from({ length: 3 }, async () => {
          while (started < TOTAL) {
            started++;
            try {
              await registerAccount(api.url);
              completed++;
            } catch (error) {
              failures.push((error as Error).message);
            }
          }
        }),
      );

      await eventually(async () => completed >= 20 && true, 'the burst to get going', 60_000, 5);
      const { oldMaster, newMaster } = await sentinel.failover();
      await burst;
      expect(failures).toEqual([]);
      expect(completed).toBe(TOTAL);

      await eventually(async () => (await outboxRows(db.url)).every((row) => row.publishedAt !== null), 'the outbox to drain', 30_000);
      await eventually(
        async () => (await redisCheck(relay.url)) === 'up' && (await redisCheck(api.url)) === 'up',
        'both apps ready again',
        30_000,
      );

      const rows = await outboxRows(db.url);
      expect(rows.length).toBeGreaterThanOrEqual(TOTAL);
      // The demoted master follows the new one (it dropped what the replica did not have): by then
      // the stream exists only as the new master holds it.
      await sentinel.waitForReplicaInSync(oldMaster, 30_000);
      const reader = new Redis({ host: '127.0.0.1', port: newMaster, lazyConnect: true });
      await reader.connect();
      try {
        const entries = await readStream(reader, STREAM_KEY);
        const inStream = new Set(entries.map((entry) => entry.eventId));
        expect(rows.filter((row) => !inStream.has(row.id)).map((row) => row.id)).toEqual([]);
        console.info(
          `redis sentinel: failover ${oldMaster} → ${newMaster}; ${entries.length} stream entries for ${rows.length} events ` +
            `(${entries.length - inStream.size} appended twice); /ready said ${[...seen].sort().join(', ')}`,
        );
      } finally {
        await reader.quit();
      }
    } finally {
      sampling = false;
      await sampler;
    }
    expect([...seen].every((status) => ['up', 'read_only', 'down', 'no answer'].includes(status))).toBe(true);
  });
});
