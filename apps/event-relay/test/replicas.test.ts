import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@pandora/testing';
import { isLeader, startRelay, startUserApi, type AppProcess, type Infrastructure } from './support/processes';
import { eventually, insertVolume, outboxRows, perUserOrderViolations, readStream } from './support/stream';
import { registerAccount, renameAccount } from './support/user-api-client';

/**
 * Several relay processes on one database: one holds the leader lease and publishes, the others
 * stand by. Killing the leader hands over within the retry interval; events stay in per-user
 * order throughout, and only a killed leader's unmarked batch is ever published twice.
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
afterAll(async () => {
  await Promise.all([api?.stop(), ...relays.map((relay) => relay.stop('SIGKILL'))]);
  await redis.cleanup();
  await db.drop();
});

const KEY = () => `${redis.keyPrefix}user-service:events`;

async function relay(): Promise<AppProcess> {
  const started = await startRelay(infra, {
    EVENT_RELAY_BATCH_SIZE: '25',
    EVENTS_STREAM_MAXLEN: '1000000',
    EVENT_RELAY_LEADER_RETRY_INTERVAL: '200ms',
  });
  relays.push(started);
  return started;
}

async function leaders(candidates: AppProcess[]): Promise<AppProcess[]> {
  const flags = await Promise.all(candidates.map((candidate) => isLeader(candidate).catch(() => false)));
  return candidates.filter((_, index) => flags[index]);
}

/** `users` accounts in parallel, each registering and then renaming itself `renames` times. */
async function burst(users: number, renames: number): Promise<void> {
  await Promise.all(
    Array.from({ length: users }, async () => {
      const account = await registerAccount(api.url);
      for (let i = 1; i <= renames; i++) await renameAccount(api.url, account, `Replica${i}`);
    }),
  );
}

async function drained(): Promise<boolean> {
  return (await outboxRows(db.url)).every((row) => row.publishedAt !== null);
}

describe('two relay processes at once', () => {
  it('publish every event exactly once through one leader, in per-user order', async () => {
    const [a, b] = await Promise.all([relay(), relay()]);
    const leader = await eventually(async () => {
      const found = await leaders([a as AppProcess, b as AppProcess]);
      return found.length === 1 && found[0];
    }, 'exactly one leader');
    await burst(8, 6);
    await eventually(drained, 'the outbox to drain');
    // Still exactly one leader: the standby never published.
    expect(await leaders([a as AppProcess, b as AppProcess])).toEqual([leader]);

    const rows = await outboxRows(db.url);
    const entries = await readStream(redis.raw, KEY());
    expect(rows).toHaveLength(56);
    // Exactly once each. Across users the stream follows commit order, which may differ from seq
    // order for concurrent transactions; within a user it follows seq.
    expect(entries.map((entry) => entry.eventId).sort()).toEqual(rows.map((row) => row.id).sort());
    expect(perUserOrderViolations(entries, rows)).toEqual([]);
  }, 120_000);

  it('hand over when the leader is killed, losing nothing and keeping per-user order', async () => {
    const running = relays.filter((candidate) => !candidate.exited());
    const leader = (await leaders(running))[0] as AppProcess;
    const standby = running.find((candidate) => candidate !== leader) as AppProcess;
    const publishedBefore = new Set((await outboxRows(db.url)).map((row) => row.id));

    await insertVolume(db.url, 5_000, 100);
    const traffic = burst(6, 8);
    await eventually(
      async () => (await outboxRows(db.url)).filter((row) => !publishedBefore.has(row.id) && row.publishedAt !== null).length > 500 && true,
      'the leader to be busy',
      30_000,
      5,
    );
    await leader.stop('SIGKILL');
    const killedAt = Date.now();
    await eventually(() => isLeader(standby), 'the standby to take the lease', 20_000, 20);
    const handoverMs = Date.now() - killedAt;
    await traffic;
    await eventually(drained, 'the outbox to drain', 90_000);

    const rows = await outboxRows(db.url);
    const entries = await readStream(redis.raw, KEY());
    const inStream = new Set(entries.map((entry) => entry.eventId));
    expect(rows.filter((row) => !inStream.has(row.id))).toEqual([]);
    expect(perUserOrderViolations(entries, rows)).toEqual([]);
    const duplicates = entries.length - inStream.size;
    // At most the batch the killed leader had in the stream but had not marked.
    expect(duplicates).toBeLessThanOrEqual(25);
    console.info(`event-relay: leader handover after SIGKILL in ${handoverMs} ms; ${duplicates} duplicate entries`);
  }, 180_000);

  it('hand over at once when the leader stops gracefully, without duplicates', async () => {
    const running = relays.filter((candidate) => !candidate.exited());
    const leader = (await leaders(running))[0] as AppProcess;
    const third = await relay();
    const entriesBefore = (await readStream(redis.raw, KEY())).length;
    const traffic = burst(4, 5);
    expect(await leader.stop('SIGTERM')).toBe(0);
    await eventually(() => isLeader(third), 'the new relay to take the lease', 20_000, 20);
    await traffic;
    await eventually(drained, 'the outbox to drain', 60_000);

    const rows = await outboxRows(db.url);
    const entries = await readStream(redis.raw, KEY());
    const newEntries = entries.slice(entriesBefore);
    expect(new Set(newEntries.map((entry) => entry.eventId)).size).toBe(newEntries.length);
    expect(newEntries).toHaveLength(24);
    expect(perUserOrderViolations(entries, rows)).toEqual([]);
  }, 120_000);
});
