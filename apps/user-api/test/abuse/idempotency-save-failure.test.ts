import { users } from '@pandora/data-access';
import { PrivateRedis, withPgClient } from '@pandora/testing';
import Redis from 'ioredis';
import { bearer, eventually, registerUser, type RegisteredUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * Redis fails after an Idempotency-Key request has done its work but before its answer is recorded.
 * The change happened, so the client gets the real answer (a 5xx would invite a retry of a done
 * change); the failure is logged; and where Redis still holds the in-progress marker, a retry gets
 * 409 rather than a second execution. The handler is held between the two moments by a row lock the
 * test takes on the user, so the failure lands exactly in between.
 */
let redis: PrivateRedis;
let probe: Redis;
let t: TestUserApi;
beforeAll(async () => {
  redis = await PrivateRedis.start();
  t = await startTestUserApi({ env: { REDIS_URL: redis.url } });
  probe = new Redis(redis.url);
  await eventually(async () => (await t.http().get('/ready')).status === 200, 5000);
});
afterAll(async () => {
  probe.disconnect();
  await t.stop();
  await redis.destroy();
});

const rename = (user: RegisteredUser, key: string, firstName: string) =>
  t.http().patch('/api/v1/users/me').set(bearer(user.accessToken)).set('Idempotency-Key', key).send({ first_name: firstName });

/**
 * Sends the keyed rename while the user's row is locked, runs `breakRedis` once the key's
 * in-progress marker is in Redis (the handler is then waiting on the lock), and lets it finish.
 */
async function renameWhileRedisBreaks(user: RegisteredUser, key: string, firstName: string, breakRedis: () => Promise<unknown>) {
  await probe.flushdb();
  return withPgClient(t.db.url, async (lock) => {
    await lock.query('BEGIN');
    await lock.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user.id]);
    const pending = rename(user, key, firstName).then((response) => response);
    try {
      await eventually(async () => (await probe.keys(`${t.redis.keyPrefix}idempotency:*`)).length > 0, 5000, 10);
      await breakRedis();
    } finally {
      await lock.query('COMMIT');
    }
    return pending;
  });
}

const warningsAbout = (requestId: string) =>
  t.logs.filter((line) => line.level === 'warn' && line.request_id === requestId && String(line.message).includes('idempotent answer'));

describe('when the answer of a keyed request cannot be recorded', () => {
  it('with Redis refusing writes: answers 200 with the change, logs it, and a retry gets 409 instead of a second execution', async () => {
    const user = await registerUser(t.http());
    try {
      const response = await renameWhileRedisBreaks(user, 'full-redis', 'Recorded', () => probe.config('SET', 'maxmemory', '1'));
      expect(response.status).toBe(200);
      expect(response.body.first_name).toBe('Recorded');
      expect((await t.rows.one(users, { id: user.id })).firstName).toBe('Recorded');

      const [warning, ...others] = warningsAbout(response.headers['x-request-id']);
      expect(others).toEqual([]);
      expect(warning).toMatchObject({ status: 200, operation: 'complete' });
      expect(JSON.stringify(warning)).not.toContain(user.email);

      const retry = await rename(user, 'full-redis', 'Recorded');
      expect(retry.status).toBe(409);
      expect(retry.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    } finally {
      await probe.config('SET', 'maxmemory', '0');
    }
  });

  it('with Redis gone: answers 200 with the change and logs it', async () => {
    const user = await registerUser(t.http());
    const response = await renameWhileRedisBreaks(user, 'gone-redis', 'Survived', () => redis.kill());
    expect(response.status).toBe(200);
    expect(response.body.first_name).toBe('Survived');
    expect((await t.rows.one(users, { id: user.id })).firstName).toBe('Survived');
    expect(warningsAbout(response.headers['x-request-id'])).toHaveLength(1);
  });
});
