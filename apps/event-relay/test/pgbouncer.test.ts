import {
  createTestDatabase,
  createTestRedis,
  PrivatePgBouncer,
  readInfrastructure,
  type TestDatabase,
  type TestRedis,
} from '@pandora/testing';
import { isLeader, startRelay, startUserApi, type AppProcess, type Infrastructure } from './support/processes';
import { eventually, insertVolume, outboxRows, readStream } from './support/stream';
import { registerAccount, renameAccount } from './support/user-api-client';

/**
 * The relay and user-api with DATABASE_URL pointing at a real PgBouncer in transaction pooling
 * mode. The relay's session (leader lease, LISTEN) goes to DATABASE_DIRECT_URL; its probe pool and
 * everything user-api does go through the pooler. Two relays: one publishes, every event exactly
 * once. Two relays whose session would go through the pooler: neither ever publishes.
 */
let db: TestDatabase;
let redis: TestRedis;
let bouncer: PrivatePgBouncer;
let pooled: Infrastructure;
let api: AppProcess;
const relays: AppProcess[] = [];

beforeAll(async () => {
  [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
  bouncer = await PrivatePgBouncer.start({ upstreamUrl: readInfrastructure().adminDatabaseUrl, poolMode: 'transaction', poolSize: 3 });
  pooled = { databaseUrl: bouncer.url(db.name), redisUrl: redis.url, redisKeyPrefix: redis.keyPrefix };
  api = await startUserApi(pooled);
}, 60_000);
afterAll(async () => {
  await Promise.all([api?.stop(), ...relays.map((relay) => relay.stop('SIGKILL'))]);
  await bouncer?.destroy();
  await redis?.cleanup();
  await db?.drop();
});

const KEY = () => `${redis.keyPrefix}user-service:events`;

async function relay(env: Record<string, string>): Promise<AppProcess> {
  const started = await startRelay(pooled, { EVENT_RELAY_BATCH_SIZE: '25', EVENTS_STREAM_MAXLEN: '1000000', ...env });
  relays.push(started);
  return started;
}

/** Events this relay marked published, summed over event types (its events_published_total). */
async function publishedBy(relayProcess: AppProcess): Promise<number> {
  const text = await (await fetch(`${relayProcess.url}/metrics`)).text();
  return [...text.matchAll(/^events_published_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe('event-relay behind a transaction-pooling PgBouncer', () => {
  it('with its session on DATABASE_DIRECT_URL: exactly one of two relays publishes, every event exactly once', async () => {
    const [a, b] = await Promise.all([relay({ DATABASE_DIRECT_URL: db.url }), relay({ DATABASE_DIRECT_URL: db.url })]);
    await eventually(async () => {
      const flags = await Promise.all([isLeader(a as AppProcess), isLeader(b as AppProcess)]);
      return flags.filter(Boolean).length === 1;
    }, 'exactly one leader');

    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const account = await registerAccount(api.url);
        for (let i = 1; i <= 4; i++) await renameAccount(api.url, account, `Pooled${i}`);
      }),
    );
    await eventually(async () => (await outboxRows(db.url)).every((row) => row.publishedAt !== null), 'the outbox to drain');

    const rows = await outboxRows(db.url);
    const entries = await readStream(redis.raw, KEY());
    expect(rows).toHaveLength(30);
    // 0 missing, 0 duplicates.
    expect(entries.map((entry) => entry.eventId).sort()).toEqual(rows.map((row) => row.id).sort());
    // One relay did all of it; the other never published.
    expect((await Promise.all([publishedBy(a as AppProcess), publishedBy(b as AppProcess)])).sort((x, y) => x - y)).toEqual([0, 30]);
    await Promise.all(relays.splice(0).map((relayProcess) => relayProcess.stop('SIGTERM')));
  }, 120_000);

  it('with its session on the pooler: neither of two relays ever leads or publishes, and both say why', async () => {
    const before = (await readStream(redis.raw, KEY())).length;
    // DATABASE_DIRECT_URL unset: the session would go to DATABASE_URL, i.e. through PgBouncer.
    const [a, b] = await Promise.all([relay({}), relay({})]);
    await insertVolume(db.url, 100, 10);
    const refusals = (relayProcess: AppProcess) =>
      relayProcess
        .logs()
        .filter((line) => line.message === 'PostgreSQL unavailable; the relay retries' && /DATABASE_DIRECT_URL/.test(String(line.error)))
        .length;
    // Each has tried (and refused) its session more than once with the rows waiting all along, or
    // (without the check) something was published: the assertions below then say what.
    await eventually(
      async () =>
        (refusals(a as AppProcess) >= 2 && refusals(b as AppProcess) >= 2) || (await readStream(redis.raw, KEY())).length > before,
      'both relays to refuse the pooled session twice',
    );

    expect(await isLeader(a as AppProcess)).toBe(false);
    expect(await isLeader(b as AppProcess)).toBe(false);
    expect(await readStream(redis.raw, KEY())).toHaveLength(before);
    expect((await outboxRows(db.url)).filter((row) => row.publishedAt === null)).toHaveLength(100);
  }, 120_000);
});
