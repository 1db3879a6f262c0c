import { users } from '@pandora/data-access';
import { bearer, eventually, expectErrorEnvelope, logIn, registerUser, sharedSigningKeys } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

/**
 * The read cache across replicas (docs/caching.md): two user-api replicas share the database and the
 * signing keys and each keeps the users and sessions it read (READ_CACHE_TTL 30 s by default). A
 * change made through one replica is what the other answers within 1 s, and what the replica that
 * made it answers at once.
 */
let replicaA: TestUserApi;
let replicaB: TestUserApi;

beforeAll(async () => {
  const keys = sharedSigningKeys();
  replicaA = await startTestUserApi({ env: { JWT_SIGNING_KEYS: keys } });
  replicaB = await startTestUserApi({ shareWith: replicaA, env: { JWT_SIGNING_KEYS: keys } });
});
afterAll(async () => {
  await replicaB.stop();
  await replicaA.stop();
});

const me = (replica: TestUserApi, token: string) => replica.http().get('/api/v1/users/me').set(bearer(token));
const rename = (replica: TestUserApi, token: string, firstName: string) =>
  replica.http().patch('/api/v1/users/me').set(bearer(token)).send({ first_name: firstName }).expect(200);

/** Hits on a replica's read cache so far, from its /metrics. */
async function cacheHits(replica: TestUserApi, cache: 'user' | 'session'): Promise<number> {
  const { text } = await replica.admin().get('/metrics').expect(200);
  const line = text.split('\n').find((entry) => entry.startsWith(`read_cache_lookups_total{cache="${cache}",result="hit"}`));
  return Number(line?.split(' ')[1] ?? 0);
}

describe('the read cache across replicas', () => {
  it('serves repeated reads of a user and a session from memory', async () => {
    const user = await registerUser(replicaA.http());
    await me(replicaB, user.accessToken).expect(200);
    const [userHits, sessionHits] = [await cacheHits(replicaB, 'user'), await cacheHits(replicaB, 'session')];
    await me(replicaB, user.accessToken).expect(200);
    expect(await cacheHits(replicaB, 'user')).toBeGreaterThan(userHits);
    expect(await cacheHits(replicaB, 'session')).toBeGreaterThan(sessionHits);
  });

  it('shows a change made on replica A on replica B within 1 s', async () => {
    const user = await registerUser(replicaA.http());
    expect((await me(replicaB, user.accessToken).expect(200)).body.first_name).not.toBe('Changed');
    await rename(replicaA, user.accessToken, 'Changed');
    const elapsed = await eventually(async () => (await me(replicaB, user.accessToken)).body.first_name === 'Changed', 1_000, 10);
    expect(elapsed).toBeLessThanOrEqual(1_000);
  });

  it('answers its own writes at once on the replica that made them', async () => {
    const user = await registerUser(replicaA.http());
    for (let round = 0; round < 20; round++) {
      await me(replicaA, user.accessToken).expect(200);
      await rename(replicaA, user.accessToken, `Name ${round}`);
      expect((await me(replicaA, user.accessToken).expect(200)).body.first_name).toBe(`Name ${round}`);
    }
  });

  it('refuses a revoked session at once on the replica that revoked it and within 1 s on the other', async () => {
    const user = await registerUser(replicaA.http());
    const other = await logIn(replicaA.http(), user.email, user.password);
    await me(replicaA, other.accessToken).expect(200);
    await me(replicaB, other.accessToken).expect(200);
    await replicaA.http().delete(`/api/v1/users/me/sessions/${other.sessionId}`).set(bearer(user.accessToken)).expect(204);
    expectErrorEnvelope((await me(replicaA, other.accessToken).expect(401)).body, 'INVALID_TOKEN');
    const elapsed = await eventually(async () => (await me(replicaB, other.accessToken)).status === 401, 1_000, 10);
    expect(elapsed).toBeLessThanOrEqual(1_000);
  });

  it('lets a deleted user disappear within 1 s on the other replica', async () => {
    const user = await registerUser(replicaA.http());
    await me(replicaB, user.accessToken).expect(200);
    await replicaA.http().delete('/api/v1/users/me').set(bearer(user.accessToken)).expect(204);
    const elapsed = await eventually(async () => (await me(replicaB, user.accessToken)).status === 401, 1_000, 10);
    expect(elapsed).toBeLessThanOrEqual(1_000);
  });

  it('sees a change written straight into the database (not through any replica) within 1 s', async () => {
    const user = await registerUser(replicaA.http());
    await me(replicaB, user.accessToken).expect(200);
    await replicaA.rows.update(users, { id: user.id }, { lastName: 'Written by hand' });
    const elapsed = await eventually(async () => (await me(replicaB, user.accessToken)).body.last_name === 'Written by hand', 1_000, 10);
    expect(elapsed).toBeLessThanOrEqual(1_000);
  });
});
