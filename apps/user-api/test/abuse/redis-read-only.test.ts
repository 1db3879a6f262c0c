import { PrivateRedis, redisCommand } from '@pandora/testing';
import { bearer, createAdmin, eventually, expectErrorEnvelope, registerUser, uniqueEmail, type AdminSession } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The read-only phase of a failover, made to last: the node user-api writes to is turned into a
 * replica (what Sentinel does to a demoted master) while the API keeps its connection to it.
 * Every write then answers READONLY: /ready says so, Idempotency-Key requests and an admin unlock
 * answer 503 (never 500), limits fail open and count it — and all of it recovers once the node is
 * a master again, without a restart.
 */
let node: PrivateRedis;
let other: PrivateRedis;
let t: TestUserApi;
let admin: AdminSession;

beforeAll(async () => {
  [node, other] = await Promise.all([PrivateRedis.start(), PrivateRedis.start()]);
  t = await startTestUserApi({ env: { REDIS_URL: node.url, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_REQUESTS_PER_WINDOW: '1000' } });
  admin = await createAdmin(t);
});
afterAll(async () => {
  await t.stop();
  await Promise.all([node.destroy(), other.destroy()]);
});

const degradedDecisions = () => t.logs.filter((line) => line.message === 'redis unavailable; degraded decision').length;
const keyedPatch = (token: string, key: string) =>
  t.http().patch('/api/v1/users/me').set(bearer(token)).set('Idempotency-Key', key).send({ first_name: 'Ada' });

describe('while the Redis node written to is a replica', () => {
  beforeAll(async () => {
    await redisCommand(node.port, 'REPLICAOF', '127.0.0.1', other.port);
    await eventually(async () => (await t.http().get('/ready')).body.checks?.redis === 'read_only', 10_000);
  });

  it('reports redis read_only on /ready (not ready), while a database-only probe stays ready', async () => {
    const ready = await t.http().get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not_ready', checks: { database: 'up', redis: 'read_only' } });
    expect((await t.http().get('/ready?require=database')).status).toBe(200);
  });

  it('answers 503 SERVICE_UNAVAILABLE to an Idempotency-Key request and to an admin unlock, never 500', async () => {
    const user = await registerUser(t.http());
    const keyed = await keyedPatch(user.accessToken, 'during-failover');
    expect(keyed.status).toBe(503);
    expectErrorEnvelope(keyed.body, 'SERVICE_UNAVAILABLE');
    const unlock = await t.admin().post(`/api/v1/admin/users/${user.id}/unlock`).set(bearer(admin.accessToken)).send({});
    expect(unlock.status).toBe(503);
    expectErrorEnvelope(unlock.body, 'SERVICE_UNAVAILABLE');
  });

  it('lets requests through with the limits failing open, and counts each such decision', async () => {
    const before = degradedDecisions();
    const response = await t
      .http()
      .post('/api/v1/auth/register')
      .send({
        email: uniqueEmail('readonly'),
        password: 'correct horse battery staple',
        first_name: 'Read',
        last_name: 'Only',
      });
    expect(response.status).toBe(201);
    expect(degradedDecisions()).toBeGreaterThan(before);
  });
});

describe('once the node is a master again', () => {
  beforeAll(async () => {
    await redisCommand(node.port, 'REPLICAOF', 'NO', 'ONE');
    await eventually(async () => (await t.http().get('/ready')).status === 200, 10_000);
  });

  it('serves Idempotency-Key requests and enforces limits again, without a restart', async () => {
    const user = await registerUser(t.http());
    const first = await keyedPatch(user.accessToken, 'after-failover');
    const retry = await keyedPatch(user.accessToken, 'after-failover');
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['ratelimit-limit']).toBeDefined();
    expect((await t.http().get('/ready')).body.checks).toEqual({ database: 'up', redis: 'up' });
  });
});
