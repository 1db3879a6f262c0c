import { PrivateRedis } from '@pandora/testing';
import { bearer, eventually, registerUser, uniqueEmail, type RegisteredUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The Redis failure policy (ARCHITECTURE.md) with a private redis-server that the test kills and
 * restarts: logins and reads keep working, rate limits fail open, account throttling falls back to
 * a stricter per-process limit, Idempotency-Key requests get 503, and everything applies again once
 * Redis is back.
 */
let redis: PrivateRedis;
let t: TestUserApi;
let user: RegisteredUser;
beforeAll(async () => {
  redis = await PrivateRedis.start();
  t = await startTestUserApi({
    env: {
      REDIS_URL: redis.url,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS_PER_WINDOW: '1000',
      RATE_LIMIT_USER_REQUESTS_PER_WINDOW: '3',
      RATE_LIMIT_WINDOW_DURATION: '1m',
      LOGIN_LOCKOUT_THRESHOLD: '4',
      RATE_LIMIT_LOGIN_REQUESTS: '1000',
    },
  });
  user = await registerUser(t.http());
});
afterAll(async () => {
  await t.stop();
  await redis.destroy();
});

const me = () => t.http().get('/api/v1/users/me').set(bearer(user.accessToken));

describe('with Redis down', () => {
  beforeAll(async () => {
    await redis.kill();
    await eventually(async () => (await t.http().get('/ready')).status === 503, 5000);
  });

  it('reports redis down on /ready, but stays ready for a probe that requires only the database', async () => {
    expect((await t.http().get('/ready')).body).toEqual({ status: 'not_ready', checks: { database: 'up', redis: 'down' } });
    const databaseOnly = await t.http().get('/ready?require=database');
    expect(databaseOnly.status).toBe(200);
    expect(databaseOnly.body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'down' } });
    expect((await t.http().get('/ready?require=redis')).status).toBe(503);
    expect((await t.http().get('/ready?require=cache')).status).toBe(400);
  });

  it('keeps serving reads with limits failing open', async () => {
    for (let i = 0; i < 6; i++) {
      const response = await me();
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('keeps serving logins, throttled more strictly in this process', async () => {
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(200);
    const ghost = uniqueEmail('ghost');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await t.http().post('/api/v1/auth/login').send({ email: ghost, password: 'wrong wrong wrong' })).status);
    expect(statuses).toEqual([401, 401, 429, 429]); // half of LOGIN_LOCKOUT_THRESHOLD=4
  });

  it('stops guessing the current password at the password change with the same stricter per-process budget', async () => {
    const victim = await registerUser(t.http());
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await t
        .http()
        .post('/api/v1/users/me/password')
        .set(bearer(victim.accessToken))
        .send({ current_password: `guess ${i}`, new_password: 'a brand new passphrase' });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 429]); // half of LOGIN_LOCKOUT_THRESHOLD=4, in this replica
    expect((await t.http().post('/api/v1/auth/login').send({ email: victim.email, password: victim.password })).status).toBe(429);
  });

  it('refuses Idempotency-Key requests with 503 but serves the same request without a key', async () => {
    const keyed = await t
      .http()
      .patch('/api/v1/users/me')
      .set(bearer(user.accessToken))
      .set('Idempotency-Key', 'during-outage')
      .send({ first_name: 'Outage' });
    expect(keyed.status).toBe(503);
    expect(keyed.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect((await t.http().patch('/api/v1/users/me').set(bearer(user.accessToken)).send({ first_name: 'Outage' })).status).toBe(200);
  });

  it('counts the degraded decisions in the metrics', async () => {
    const metrics = (await t.admin().get('/metrics')).text;
    expect(metrics).toMatch(/redis_degraded_decisions_total\{component="rate_limit_user"\} [1-9]/);
    expect(metrics).toMatch(/redis_degraded_decisions_total\{component="login_throttle"\} [1-9]/);
  });
});

describe('after Redis is back', () => {
  beforeAll(async () => {
    await redis.restart();
    await eventually(async () => (await t.http().get('/ready')).status === 200, 10_000, 100);
  });

  it('applies the limits again', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await me()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('honours Idempotency-Key again', async () => {
    const other = await registerUser(t.http());
    const patch = () =>
      t.http().patch('/api/v1/users/me').set(bearer(other.accessToken)).set('Idempotency-Key', 'after-outage').send({ first_name: 'Back' });
    expect((await patch()).status).toBe(200);
    expect((await patch()).headers['idempotent-replayed']).toBe('true');
  });
});
