import { randomUUID } from 'node:crypto';
import { createRedisClient, type RedisClient } from '@pandora/data-access';
import { StreamConsumer } from '@pandora/event-stream';
import { createLogger } from '@pandora/observability';
import { createTestDatabase, PrivateRedisCluster, redisCommand, type TestDatabase } from '@pandora/testing';
import { startInProcessRelay, type InProcessRelay } from './support/in-process-relay';
import { startUserApi, type AppProcess, type Infrastructure } from './support/processes';
import { eventually, outboxRows, readStream } from './support/stream';
import { call, PASSWORD, registerAccount } from './support/user-api-client';

/**
 * user-api and event-relay against a private 3-master Redis Cluster (one replica each), configured
 * with REDIS_CLUSTER_NODES only: limits, the login throttle, idempotency keys, revocation, the relay
 * and a consumer group work; then the master holding the event stream is killed -9, its replica
 * takes over, and both apps carry on without a restart and without losing an event.
 */
let cluster: PrivateRedisCluster;
let db: TestDatabase;
let api: AppProcess;
let relay: InProcessRelay;
let client: RedisClient;
let consumer: StreamConsumer;
const consumed = new Set<string>();

const PREFIX = `cluster-${randomUUID().slice(0, 8)}:`;
const STREAM = 'user-service:events';

beforeAll(async () => {
  [cluster, db] = await Promise.all([PrivateRedisCluster.start(), createTestDatabase()]);
  const clusterEnv = { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodesVariable };
  const infra: Infrastructure = { databaseUrl: db.url, redisUrl: 'redis://unused.invalid:6379/0', redisKeyPrefix: PREFIX };
  [api, relay] = await Promise.all([
    startUserApi(infra, {
      ...clusterEnv,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS_PER_WINDOW: '10000',
      RATE_LIMIT_REGISTER_REQUESTS: '10000',
      RATE_LIMIT_LOGIN_REQUESTS: '10000',
      RATE_LIMIT_USER_REQUESTS_PER_WINDOW: '5',
      LOGIN_LOCKOUT_THRESHOLD: '3',
    }),
    startInProcessRelay(infra, { ...clusterEnv, EVENT_RELAY_BATCH_SIZE: '10', EVENT_RELAY_PUBLISH_TIMEOUT: '2s' }),
  ]);
  client = createRedisClient({
    connection: {
      topology: { kind: 'cluster', nodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })) },
      tls: false,
      keyPrefix: PREFIX,
      isLocalDefault: false,
    },
    connectionName: 'cluster-test-consumer',
  });
  client.on('error', () => undefined);
  await client.connect();
  consumer = new StreamConsumer({
    redis: client,
    stream: STREAM,
    group: 'wallet',
    consumer: 'wallet-1',
    startFrom: 'beginning',
    blockMs: 200,
    maxBackoffMs: 300,
    logger: createLogger({ service: 'cluster-test', level: 'error' }),
    onUnhandled: (event) => void consumed.add(event.eventId),
  });
  await consumer.start();
}, 90_000);

afterAll(async () => {
  await consumer?.stop();
  await client?.quit().catch(() => client.disconnect());
  await Promise.all([api?.stop(), relay?.stop()]);
  await cluster?.destroy();
  await db?.drop();
});

async function ready(url: string): Promise<{ status: number; redis: string | undefined }> {
  const response = await fetch(`${url}/ready`);
  const body = (await response.json()) as { checks?: Record<string, string> };
  return { status: response.status, redis: body.checks?.redis };
}

async function keyedRegister(key: string): Promise<Response> {
  return fetch(`${api.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify({
      email: `cluster.${randomUUID().slice(0, 8)}@example.com`,
      password: PASSWORD,
      first_name: 'Ada',
      last_name: 'Lovelace',
    }),
  });
}

async function keyedRename(token: string, key: string, firstName: string): Promise<Response> {
  return fetch(`${api.url}/api/v1/users/me`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, Authorization: `Bearer ${token}` },
    body: JSON.stringify({ first_name: firstName }),
  });
}

/** Every Redis-backed control, once; the same checks run before and after the failover. */
async function exerciseEveryControl(round: string): Promise<void> {
  const degraded = () => api.logs().filter((line) => line.message === 'redis unavailable; degraded decision').length;
  const degradedBefore = degraded();
  // Idempotency: the retry is a replay, not a second change.
  const account = await registerAccount(api.url);
  const first = await keyedRename(account.accessToken, `rename-${round}`, 'Grace');
  const retry = await keyedRename(account.accessToken, `rename-${round}`, 'Grace');
  expect([first.status, retry.status]).toEqual([200, 200]);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  expect((await keyedRegister(`register-${round}`)).status).toBe(201);

  // The per-user limit (5 per window) answers 429 with Retry-After.
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await call(api.url, 'GET', '/users/me', undefined, { token: account.accessToken })).status);
  expect(statuses).toContain(429);

  // The login throttle: three wrong passwords lock the account, even for the right one.
  const victim = await registerAccount(api.url);
  for (let i = 0; i < 3; i++)
    expect((await call(api.url, 'POST', '/auth/login', { email: victim.email, password: 'wrong password!' })).status).toBe(401);
  expect((await call(api.url, 'POST', '/auth/login', { email: victim.email, password: PASSWORD })).status).toBe(429);

  // Revocation: a logged-out session's access token stops working at once.
  const leaving = await registerAccount(api.url);
  expect((await call(api.url, 'POST', '/users/me/logout', {}, { token: leaving.accessToken })).status).toBe(204);
  expect((await call(api.url, 'GET', '/users/me', undefined, { token: leaving.accessToken })).status).toBe(401);

  // No control fell back to its degraded mode.
  expect(degraded() - degradedBefore).toBe(0);
}

async function everyEventPublishedAndConsumed(): Promise<{ rows: number; entries: number }> {
  await eventually(async () => (await outboxRows(db.url)).every((row) => row.publishedAt !== null), 'the outbox to drain', 30_000);
  const rows = await outboxRows(db.url);
  const entries = await readStream(client, STREAM); // the client adds the prefix
  const inStream = new Set(entries.map((entry) => entry.eventId));
  expect(rows.filter((row) => !inStream.has(row.id)).map((row) => row.id)).toEqual([]);
  await eventually(async () => rows.every((row) => consumed.has(row.id)) && true, 'the consumer group to receive every event', 30_000);
  return { rows: rows.length, entries: entries.length };
}

describe('on a Redis Cluster', () => {
  it('limits, the login throttle, idempotency, revocation, the relay and a consumer group all work', async () => {
    expect(await ready(api.url)).toEqual({ status: 200, redis: 'up' });
    expect(await ready(relay.url)).toEqual({ status: 200, redis: 'up' });
    await exerciseEveryControl('before');
    await everyEventPublishedAndConsumed();
    // The relay made every batch wait for the stream master's replica before marking it published.
    const stats = String(await redisCommand(await cluster.masterOf(`${PREFIX}${STREAM}`), 'INFO', 'commandstats'));
    expect(Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0)).toBeGreaterThan(0);
  });

  it('recovers without a restart when the master holding the stream is killed and its replica promoted', async () => {
    const { killed, promoted } = await cluster.killMasterOf(`${PREFIX}${STREAM}`);
    expect(promoted).not.toBe(killed);

    // New events while the clients find the new master: registrations keep succeeding (they need
    // PostgreSQL only), and the relay delivers them once it reaches the promoted node.
    const during = await Promise.all(Array.from({ length: 5 }, () => registerAccount(api.url)));
    expect(during).toHaveLength(5);

    await eventually(async () => (await ready(relay.url)).redis === 'up', 'the relay to see every master again', 30_000);
    await eventually(async () => (await ready(api.url)).redis === 'up', 'user-api to see every master again', 30_000);
    await exerciseEveryControl('after');
    const { rows, entries } = await everyEventPublishedAndConsumed();
    console.info(`redis cluster: master ${killed} killed, ${promoted} promoted; ${entries} stream entries for ${rows} events`);
  });
});
