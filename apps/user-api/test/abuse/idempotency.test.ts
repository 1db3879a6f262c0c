import { outboxEvents, users } from '@pandora/data-access';
import { whileDatabaseIsAway } from '../support/database-outage';
import {
  bearer,
  createAdmin,
  eventually,
  expectErrorEnvelope,
  registerUser,
  STRONG_PASSWORD,
  uniqueEmail,
  type RegisteredUser,
} from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * Idempotency-Key (docs/abuse-controls.md#idempotency-keys) over real HTTP and real Redis, on both listeners. TRUST_PROXY=loopback
 * lets a test speak as several anonymous clients through X-Forwarded-For.
 */
let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi({ env: { IDEMPOTENCY_TTL: '3s', TRUST_PROXY: 'loopback' } });
});
afterAll(() => t.stop());

const registration = () => ({ email: uniqueEmail('idem'), password: STRONG_PASSWORD, first_name: 'Idem', last_name: 'Potent' });
const register = (body: object, key: string) => t.http().post('/api/v1/auth/register').set('Idempotency-Key', key).send(body);
const patchMe = (user: RegisteredUser, body: object, key: string) =>
  t.http().patch('/api/v1/users/me').set(bearer(user.accessToken)).set('Idempotency-Key', key).send(body);

describe('Idempotency-Key', () => {
  it('replays the first answer, with Idempotent-Replayed, and does the work once', async () => {
    const user = await registerUser(t.http());
    const first = await patchMe(user, { first_name: 'Once' }, 'key-replay-1');
    const second = await patchMe(user, { first_name: 'Once' }, 'key-replay-1');
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body).toEqual(first.body);
    expect(await t.rows.count(outboxEvents, { aggregateId: user.id, eventType: 'user.profile.updated' })).toBe(1);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with a different body', async () => {
    const user = await registerUser(t.http());
    await patchMe(user, { first_name: 'First' }, 'key-reused-1').expect(200);
    const other = await patchMe(user, { first_name: 'Different' }, 'key-reused-1');
    expect(other.status).toBe(422);
    expectErrorEnvelope(other.body, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('treats bodies that differ only in key order as the same request', async () => {
    const user = await registerUser(t.http());
    await patchMe(user, { first_name: 'Ada', last_name: 'Lovelace' }, 'key-order-1').expect(200);
    expect((await patchMe(user, { last_name: 'Lovelace', first_name: 'Ada' }, 'key-order-1')).headers['idempotent-replayed']).toBe('true');
  });

  it('executes concurrent duplicates exactly once (409 IDEMPOTENCY_IN_PROGRESS or a replay for the rest)', async () => {
    const user = await registerUser(t.http());
    const responses = await Promise.all(Array.from({ length: 8 }, () => patchMe(user, { first_name: 'Concurrent' }, 'key-concurrent-1')));
    const executed = responses.filter((response) => response.status === 200 && response.headers['idempotent-replayed'] === undefined);
    expect(executed).toHaveLength(1);
    for (const response of responses) {
      if (response.status === 409) expectErrorEnvelope(response.body, 'IDEMPOTENCY_IN_PROGRESS');
      else expect(response.status).toBe(200);
    }
    expect(await t.rows.count(outboxEvents, { aggregateId: user.id, eventType: 'user.profile.updated' })).toBe(1);
  });

  it('never stores an answer that holds tokens: a keyed register, login or refresh runs again on retry', async () => {
    const body = registration();
    const first = await register(body, 'key-credentials-1');
    expect(first.status).toBe(201);
    const retry = await register(body, 'key-credentials-1');
    expect(retry.status).toBe(409);
    expectErrorEnvelope(retry.body, 'USER_ALREADY_EXISTS');
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const logIn = () =>
      t.http().post('/api/v1/auth/login').set('Idempotency-Key', 'key-credentials-2').send({ email: body.email, password: body.password });
    const [one, two] = [await logIn(), await logIn()];
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(two.headers['idempotent-replayed']).toBeUndefined();
    expect(two.body.refresh_token).not.toBe(one.body.refresh_token);
  });

  it('stores 4xx answers too, but lets the request run again once the key has expired', async () => {
    const body = { ...registration(), password: 'password' };
    const weak = await register(body, 'key-expiry-1');
    expect(weak.status).toBe(422);
    const replayed = await register(body, 'key-expiry-1');
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual({ error: { ...weak.body.error, request_id: replayed.headers['x-request-id'] } });
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const again = await register(body, 'key-expiry-1');
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('gives a replayed error the request id of the retry, the one its X-Request-ID header carries', async () => {
    const body = { ...registration(), password: 'password' };
    const first = await register(body, 'key-request-id-1').set('X-Request-ID', 'first-attempt');
    expect(first.status).toBe(422);
    expect(first.body.error.request_id).toBe('first-attempt');
    const retry = await register(body, 'key-request-id-1').set('X-Request-ID', 'second-attempt');
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['x-request-id']).toBe('second-attempt');
    expect(retry.body).toEqual({ error: { ...first.body.error, request_id: 'second-attempt' } });
  });

  it.each([
    ['an over-long key', 'k'.repeat(256)],
    ['an empty key', ''],
    ['a non-ASCII key', 'clé-é'],
  ])('refuses %s with 400', async (_name, key) => {
    const response = await t.http().post('/api/v1/auth/register').set('Idempotency-Key', key).send(registration());
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
  });

  it('accepts a 255-character key', async () => {
    expect((await register(registration(), 'k'.repeat(255))).status).toBe(201);
  });

  it('scopes keys to the caller: two users may use the same key', async () => {
    const alice = await registerUser(t.http());
    const bob = await registerUser(t.http());
    const patch = (token: string, name: string) =>
      t.http().patch('/api/v1/users/me').set(bearer(token)).set('Idempotency-Key', 'shared-key').send({ first_name: name });
    expect((await patch(alice.accessToken, 'Alicia')).body.first_name).toBe('Alicia');
    const bobs = await patch(bob.accessToken, 'Roberto');
    expect(bobs.body.first_name).toBe('Roberto');
    expect(bobs.headers['idempotent-replayed']).toBeUndefined();
  });

  it('scopes keys to the route: the same key on another route executes there', async () => {
    const body = registration();
    expect((await register(body, 'key-route-1')).status).toBe(201);
    const login = await t
      .http()
      .post('/api/v1/auth/login')
      .set('Idempotency-Key', 'key-route-1')
      .send({ email: body.email, password: body.password });
    expect(login.status).toBe(200);
    expect(login.headers['idempotent-replayed']).toBeUndefined();
  });

  it('scopes keys to the method: PATCH and PUT of one resource with one key both execute', async () => {
    const user = await registerUser(t.http());
    const patched = await t
      .http()
      .patch('/api/v1/users/me')
      .set(bearer(user.accessToken))
      .set('Idempotency-Key', 'key-method-1')
      .send({ first_name: 'Patched' });
    expect(patched.body.first_name).toBe('Patched');
    const put = await t
      .http()
      .put('/api/v1/users/me')
      .set(bearer(user.accessToken))
      .set('Idempotency-Key', 'key-method-1')
      .send({ first_name: 'Put', last_name: 'Whole' });
    expect(put.status).toBe(200);
    expect(put.headers['idempotent-replayed']).toBeUndefined();
    expect(put.body).toMatchObject({ first_name: 'Put', last_name: 'Whole' });
  });

  it("scopes anonymous keys to the client IP: another client sending the same key and body is not handed the first one's tokens", async () => {
    const body = registration();
    const first = await register(body, 'key-ip-1').set('X-Forwarded-For', '198.51.100.1');
    expect(first.status).toBe(201);
    const other = await register(body, 'key-ip-1').set('X-Forwarded-For', '198.51.100.2');
    expect(other.status).toBe(409);
    expectErrorEnvelope(other.body, 'USER_ALREADY_EXISTS');
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(JSON.stringify(other.body)).not.toContain(first.body.refresh_token);
  });

  it('covers DELETE and the admin listener', async () => {
    const admin = await createAdmin(t);
    const user = await registerUser(t.http());
    const remove = () =>
      t.admin().delete(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).set('Idempotency-Key', 'admin-delete-1');
    expect((await remove()).status).toBe(204);
    const replay = await remove();
    expect(replay.status).toBe(204);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await t.rows.count(outboxEvents, { aggregateId: user.id, eventType: 'user.deleted' })).toBe(1);
  });

  it('keeps the stored answers unreadable in Redis (no emails, no names)', async () => {
    const user = await registerUser(t.http());
    expect((await patchMe(user, { first_name: 'Unreadable' }, 'key-at-rest-1')).status).toBe(200);
    const keys = await t.redis.raw.keys(`${t.redis.keyPrefix}idempotency:*`);
    const stored = (await Promise.all(keys.map((key) => t.redis.raw.get(key)))).join();
    expect(stored).not.toContain(user.email);
    expect(stored).not.toContain('Unreadable');
  });
});

describe('answers that may be retried are not stored', () => {
  it('a 5xx: with the database away the keyed request gets 503, and the retry executes once it is back', async () => {
    const body = registration();
    const during = await whileDatabaseIsAway(t.db, () => register(body, 'key-5xx-1'));
    expect(during.status).toBe(503);
    expectErrorEnvelope(during.body, 'SERVICE_UNAVAILABLE');
    const retry = await register(body, 'key-5xx-1');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await t.rows.count(users, { email: body.email })).toBe(1);
  });

  it('a 429: once the register limit has passed, the retry with the same key executes', async () => {
    const limited = await startTestUserApi({
      shareWith: t,
      env: {
        IDEMPOTENCY_TTL: '1m',
        TRUST_PROXY: 'loopback',
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_REQUESTS_PER_WINDOW: '1000',
        RATE_LIMIT_USER_REQUESTS_PER_WINDOW: '1000',
        RATE_LIMIT_REGISTER_REQUESTS: '1',
        RATE_LIMIT_REGISTER_WINDOW: '2s',
      },
    });
    try {
      // Redis connects in the background; until it has, a keyed request is refused with 503.
      await eventually(async () => (await limited.http().get('/ready')).status === 200, 5000);
      const fromOneIp = (body: object, key: string) =>
        limited.http().post('/api/v1/auth/register').set('X-Forwarded-For', '198.51.100.77').set('Idempotency-Key', key).send(body);
      expect((await fromOneIp(registration(), 'key-429-a')).status).toBe(201);
      const body = registration();
      const refused = await fromOneIp(body, 'key-429-b');
      expect(refused.status).toBe(429);
      await new Promise((resolve) => setTimeout(resolve, Number(refused.headers['retry-after']) * 1000 + 100));
      const retry = await fromOneIp(body, 'key-429-b');
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(await t.rows.count(users, { email: body.email })).toBe(1);
    } finally {
      await limited.stop();
    }
  });
});
