import type { Response } from 'supertest';
import { bearer, eventually, expectErrorEnvelope, logIn, registerUser, sharedSigningKeys } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

/**
 * Revocation reaches access tokens (docs/tokens.md#revocation): two replicas share the database and the signing
 * keys; a session ended through one must stop the access token on the other within 1 second.
 */
let replicaA: TestUserApi;
let replicaB: TestUserApi;
let keys: string;

beforeAll(async () => {
  keys = sharedSigningKeys();
  replicaA = await startTestUserApi({ env: { JWT_SIGNING_KEYS: keys } });
  replicaB = await startTestUserApi({ shareWith: replicaA, env: { JWT_SIGNING_KEYS: keys } });
});
afterAll(async () => {
  await replicaB.stop();
  await replicaA.stop();
});

const meOnB = (token: string) => replicaB.http().get('/api/v1/users/me').set(bearer(token));

/** Polls `call` until it answers 401; that answer must say INVALID_TOKEN (docs/tokens.md#revocation), not merely "unauthorized". */
async function expectRevokedWithin(withinMs: number, call: () => Promise<Response>): Promise<number> {
  let last: Response | undefined;
  const elapsed = await eventually(
    async () => {
      last = await call();
      return last.status === 401;
    },
    withinMs,
    25,
  );
  expectErrorEnvelope(last?.body, 'INVALID_TOKEN');
  return elapsed;
}

async function expectRejectedOnBWithinOneSecond(token: string): Promise<void> {
  expect(await expectRevokedWithin(1000, () => meOnB(token))).toBeLessThanOrEqual(1000);
}

describe('revocation reaches access tokens on every replica within 1 s', () => {
  it.each([
    ['logout', async (token: string) => replicaA.http().post('/api/v1/users/me/logout').set(bearer(token))],
    ['logout-all', async (token: string) => replicaA.http().post('/api/v1/users/me/logout-all').set(bearer(token))],
    ['account deletion', async (token: string) => replicaA.http().delete('/api/v1/users/me').set(bearer(token))],
  ])('after %s', async (_name, revoke) => {
    const user = await registerUser(replicaA.http());
    expect((await meOnB(user.accessToken)).status).toBe(200); // warm replica B's cache
    expect((await revoke(user.accessToken)).status).toBe(204);
    await expectRejectedOnBWithinOneSecond(user.accessToken);
  });

  it('after a password change (other sessions)', async () => {
    const user = await registerUser(replicaA.http());
    const other = await logIn(replicaB.http(), user.email, user.password);
    expect((await meOnB(other.accessToken)).status).toBe(200);
    await replicaA
      .http()
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ current_password: user.password, new_password: 'an entirely new passphrase' })
      .expect(204);
    await expectRejectedOnBWithinOneSecond(other.accessToken);
  });

  it('after revoking one session by id', async () => {
    const user = await registerUser(replicaA.http());
    const other = await logIn(replicaA.http(), user.email, user.password);
    expect((await meOnB(other.accessToken)).status).toBe(200);
    await replicaA.http().delete(`/api/v1/users/me/sessions/${other.sessionId}`).set(bearer(user.accessToken)).expect(204);
    await expectRejectedOnBWithinOneSecond(other.accessToken);
  });

  it('does not depend on Redis: a replica whose Redis is unreachable still rejects revoked tokens and serves logins', async () => {
    const replicaWithoutRedis = await startTestUserApi({
      shareWith: replicaA,
      env: { JWT_SIGNING_KEYS: keys, REDIS_URL: 'redis://127.0.0.1:1/0' },
    });
    try {
      const user = await registerUser(replicaA.http());
      const onC = () => replicaWithoutRedis.http().get('/api/v1/users/me').set(bearer(user.accessToken));
      expect((await onC()).status).toBe(200);
      await replicaA.http().post('/api/v1/users/me/logout').set(bearer(user.accessToken)).expect(204);
      await expectRevokedWithin(1000, onC);
      const login = await replicaWithoutRedis.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
      expect(login.status).toBe(200);
      const ready = await replicaWithoutRedis.http().get('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toEqual({ database: 'up', redis: 'down' });
    } finally {
      await replicaWithoutRedis.stop();
    }
  });
});
