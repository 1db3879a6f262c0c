import { Argon2PasswordHasher } from '@pandora/auth';
import { auditLogs, outboxEvents, users } from '@pandora/data-access';
import { bearer, expectErrorEnvelope, registerUser, STRONG_PASSWORD, uniqueEmail } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';
import { pairedTimingRatio } from './support/timing';

let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi();
});
afterAll(() => t.stop());

describe('POST /api/v1/auth/login', () => {
  it('logs in with the email in any case and opens a new session', async () => {
    const user = await registerUser(t.http());
    const response = await t
      .http()
      .post('/api/v1/auth/login')
      .set('User-Agent', 'jest-agent/1.0')
      .send({ email: user.email.toUpperCase(), password: user.password });
    expect(response.status).toBe(200);
    expect(response.body.user.id).toBe(user.id);
    const sessions = await t.http().get('/api/v1/users/me/sessions').set(bearer(response.body.access_token));
    expect(sessions.body.sessions).toHaveLength(2);
    expect(sessions.body.sessions[0]).toMatchObject({ user_agent: 'jest-agent/1.0', current: true });
  });

  it('gives a wrong password and an unknown email exactly the same answer', async () => {
    const user = await registerUser(t.http());
    const wrong = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'not the password at all' });
    const unknown = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: uniqueEmail('ghost'), password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expectErrorEnvelope(wrong.body, 'INVALID_CREDENTIALS');
    const strip = (body: { error: Record<string, unknown> }) => ({ ...body.error, request_id: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(Object.keys(wrong.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
  });

  it.each([
    ['in user-api itself', '0'],
    ['in a helper process (ARGON2_WORKERS)', '1'],
  ])('spends the same Argon2 work on an unknown email as on a wrong password, hashing %s (timing)', async (_where, workers) => {
    // Realistic hashing cost for this test only (the production default, 64 MiB), so that skipping
    // the hash stands out: measured here, an unknown email without the dummy verify costs 0.25–0.28
    // of a wrong password (at 16 MiB the rest of the request hid it: 0.63).
    const timed = await startTestUserApi({ env: { ARGON2_MEMORY_KIB: '65536', ARGON2_PARALLELISM: '1', ARGON2_WORKERS: workers } });
    try {
      const user = await registerUser(timed.http());
      const attempt = (email: string) =>
        timed.http().post('/api/v1/auth/login').send({ email, password: 'wrong password here' }).expect(401);
      // Interleaved pairs and the median of their ratios, with more pairs only while the machine's
      // noise leaves the measurement undecided (support/timing.ts says why these bounds cannot flake).
      const { ratio } = await pairedTimingRatio(
        () => attempt(user.email),
        () => attempt(uniqueEmail('nobody')),
      );
      // Without the dummy verify an unknown email would cost a fraction of a wrong password.
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.6);
    } finally {
      await timed.stop();
    }
  });

  it('records failed logins in the audit trail, with the user id when the email exists', async () => {
    const user = await registerUser(t.http());
    const ghost = uniqueEmail('ghost');
    await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong-password-1' }).expect(401);
    await t.http().post('/api/v1/auth/login').send({ email: ghost, password: 'wrong-password-1' }).expect(401);
    const known = await t.rows.one(auditLogs, { eventType: 'auth.login.failed', userId: user.id });
    expect(known).toMatchObject({ status: 'failure', failureReason: 'invalid_password', actorIdentifier: user.email, severity: 'warning' });
    const unknown = await t.rows.one(auditLogs, { eventType: 'auth.login.failed', actorIdentifier: ghost });
    expect(unknown).toMatchObject({ userId: null, failureReason: 'unknown_email', actorType: 'anonymous' });
  });

  it('writes the success audit row and the user.logged_in event', async () => {
    const user = await registerUser(t.http());
    const login = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
    const events = await t.rows.find(outboxEvents, { aggregateId: user.id, eventType: 'user.logged_in' });
    expect(events).toEqual([expect.objectContaining({ payload: { email: user.email } })]);
    const sid = JSON.parse(Buffer.from(login.body.access_token.split('.')[1], 'base64url').toString()).sid;
    expect(await t.rows.count(auditLogs, { eventType: 'auth.login.succeeded', userId: user.id, sessionId: sid })).toBe(1);
  });

  it('refuses a deleted account like an unknown one', async () => {
    const user = await registerUser(t.http());
    await t.http().delete('/api/v1/users/me').set(bearer(user.accessToken)).expect(204);
    const response = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(response.status).toBe(401);
    expectErrorEnvelope(response.body, 'INVALID_CREDENTIALS');
  });

  it('re-hashes the password with the new parameters after a successful login', async () => {
    const user = await registerUser(t.http());
    const stronger = await startTestUserApi({ shareWith: t, env: { ARGON2_MEMORY_KIB: '2048', ARGON2_TIME_COST: '2' } });
    try {
      const before = await t.rows.one(users, { id: user.id });
      await stronger.http().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password!' }).expect(401);
      expect((await t.rows.one(users, { id: user.id })).passwordHash).toBe(before.passwordHash);
      await stronger.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
      const after = await t.rows.one(users, { id: user.id });
      expect(after.passwordHash).toMatch(/^\$argon2id\$v=19\$m=2048,t=2,p=1\$/);
      expect(after.updatedAt).toEqual(before.updatedAt);
      await expect(
        new Argon2PasswordHasher({ memoryKib: 2048, timeCost: 2, parallelism: 1 }).verify(after.passwordHash, user.password),
      ).resolves.toBe(true);
    } finally {
      await stronger.stop();
    }
  });

  it('verifies a hash written by the original Go service', async () => {
    const user = await registerUser(t.http());
    // golang.org/x/crypto/argon2 with the original parameters, RawStdEncoding, 16-byte salt.
    const { hashRaw } = await import('@node-rs/argon2');
    const salt = Buffer.from('go-service-salt!');
    const key = await hashRaw('password-from-go-era', {
      algorithm: 2,
      memoryCost: 65536,
      timeCost: 1,
      parallelism: 4,
      outputLen: 32,
      salt,
    });
    const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');
    await t.rows.update(users, { id: user.id }, { passwordHash: `$argon2id$v=19$m=65536,t=1,p=4$${b64(salt)}$${b64(key)}` });
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'password-from-go-era' })).status).toBe(200);
  });

  it.each([
    [{ email: 'a@b.com' }, 'password'],
    [{ password: STRONG_PASSWORD }, 'email'],
    [{ email: '', password: STRONG_PASSWORD }, 'email'],
    [{ email: 'a@b.com', password: STRONG_PASSWORD, remember_me: true }, 'remember_me'],
  ])('validates the body %j', async (body, field) => {
    const response = await t.http().post('/api/v1/auth/login').send(body);
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({ field, message: expect.any(String) });
  });
});
