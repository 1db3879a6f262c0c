import { bearer, createAdmin, expectErrorEnvelope, registerUser, STRONG_PASSWORD, uniqueEmail } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/** Idempotency-Key (SPEC §5) over real HTTP and real Redis, on both listeners. */
let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi({ env: { IDEMPOTENCY_TTL: '3s' } });
});
afterAll(() => t.stop());

const registration = () => ({ email: uniqueEmail('idem'), password: STRONG_PASSWORD, first_name: 'Idem', last_name: 'Potent' });
const register = (body: object, key: string) => t.http().post('/api/v1/auth/register').set('Idempotency-Key', key).send(body);

describe('Idempotency-Key', () => {
  it('replays the first answer, with Idempotent-Replayed, and does the work once', async () => {
    const body = registration();
    const first = await register(body, 'key-replay-1');
    const second = await register(body, 'key-replay-1');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body).toEqual(first.body);
    expect(await t.prisma.user.count({ where: { email: body.email } })).toBe(1);
    expect(await t.prisma.outboxEvent.count({ where: { aggregateId: first.body.user.id, eventType: 'user.registered' } })).toBe(1);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with a different body', async () => {
    const body = registration();
    await register(body, 'key-reused-1').expect(201);
    const other = await register({ ...body, first_name: 'Different' }, 'key-reused-1');
    expect(other.status).toBe(422);
    expectErrorEnvelope(other.body, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('treats bodies that differ only in key order as the same request', async () => {
    const body = registration();
    await register(body, 'key-order-1').expect(201);
    const reordered = { last_name: body.last_name, first_name: body.first_name, password: body.password, email: body.email };
    expect((await register(reordered, 'key-order-1')).headers['idempotent-replayed']).toBe('true');
  });

  it('executes concurrent duplicates exactly once (409 IDEMPOTENCY_IN_PROGRESS or a replay for the rest)', async () => {
    const body = registration();
    const responses = await Promise.all(Array.from({ length: 8 }, () => register(body, 'key-concurrent-1')));
    const created = responses.filter((response) => response.status === 201 && response.headers['idempotent-replayed'] === undefined);
    expect(created).toHaveLength(1);
    for (const response of responses) {
      if (response.status === 409) expectErrorEnvelope(response.body, 'IDEMPOTENCY_IN_PROGRESS');
      else expect(response.status).toBe(201);
    }
    expect(await t.prisma.user.count({ where: { email: body.email } })).toBe(1);
  });

  it('stores 4xx answers too, but lets the request run again once the key has expired', async () => {
    const body = { ...registration(), password: 'password' };
    const weak = await register(body, 'key-expiry-1');
    expect(weak.status).toBe(422);
    const replayed = await register(body, 'key-expiry-1');
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(weak.body);
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const again = await register(body, 'key-expiry-1');
    expect(again.headers['idempotent-replayed']).toBeUndefined();
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
    const patch = (token: string, name: string) => t.http().patch('/api/v1/users/me').set(bearer(token)).set('Idempotency-Key', 'shared-key').send({ first_name: name });
    expect((await patch(alice.accessToken, 'Alicia')).body.first_name).toBe('Alicia');
    const bobs = await patch(bob.accessToken, 'Roberto');
    expect(bobs.body.first_name).toBe('Roberto');
    expect(bobs.headers['idempotent-replayed']).toBeUndefined();
  });

  it('covers DELETE and the admin listener', async () => {
    const admin = await createAdmin(t);
    const user = await registerUser(t.http());
    const remove = () => t.admin().delete(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).set('Idempotency-Key', 'admin-delete-1');
    expect((await remove()).status).toBe(204);
    const replay = await remove();
    expect(replay.status).toBe(204);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await t.prisma.outboxEvent.count({ where: { aggregateId: user.id, eventType: 'user.deleted' } })).toBe(1);
  });

  it('keeps the stored answers unreadable in Redis (no tokens, no emails)', async () => {
    const body = registration();
    const first = await register(body, 'key-at-rest-1');
    const keys = await t.redis.raw.keys(`${t.redis.keyPrefix}idempotency:*`);
    const stored = (await Promise.all(keys.map((key) => t.redis.raw.get(key)))).join();
    expect(stored).not.toContain(first.body.refresh_token);
    expect(stored).not.toContain(body.email);
  });
});
