import { auditLogs } from '@pandora/data-access';
import {
  bearer,
  createAdmin,
  eventually,
  expectErrorEnvelope,
  registerUser,
  uniqueEmail,
  type AdminSession,
  type RegisteredUser,
} from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * Account throttling (docs/abuse-controls.md#login-throttling): five consecutive failures lock the email, for existing and unknown
 * emails alike; the attempt is reserved before the password is checked, so parallel guesses from
 * many IPs cannot evaluate more than the threshold.
 */
let t: TestUserApi;
let admin: AdminSession;
beforeAll(async () => {
  t = await startTestUserApi({
    env: { LOGIN_LOCKOUT_THRESHOLD: '5', LOGIN_LOCKOUT_BASE: '2s', LOGIN_LOCKOUT_MAX: '8s', TRUST_PROXY: 'loopback' },
  });
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

const login = (email: string, password: string, ip: string) =>
  t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });

async function parallelGuesses(email: string): Promise<number[]> {
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => login(email, `wrong guess number ${i}`, `192.0.2.${i + 1}`)));
  return responses.map((response) => response.status);
}

describe('parallel password guessing', () => {
  let user: RegisteredUser;
  beforeAll(async () => {
    user = await registerUser(t.http());
  });

  it('evaluates at most the threshold of 20 parallel wrong passwords from 20 IPs, then refuses the right one with 429', async () => {
    const statuses = await parallelGuesses(user.email);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20 - statuses.filter((status) => status === 401).length);
    const correct = await login(user.email, user.password, '192.0.2.200');
    expect(correct.status).toBe(429);
    expectErrorEnvelope(correct.body, 'RATE_LIMITED');
    expect(Number(correct.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await t.rows.count(auditLogs, { userId: user.id, eventType: 'auth.login.failed' })).toBeLessThanOrEqual(5);
  });

  it('records the lock in the audit trail and the metrics', async () => {
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'security.login_locked' })).toMatchObject({
      severity: 'critical',
      metadata: expect.objectContaining({ lock_level: 1 }),
    });
    const metrics = (await t.admin().get('/metrics')).text;
    expect(metrics).toMatch(/login_lockouts_total \d+/);
    expect(metrics).toMatch(/user_logins_total\{result="locked"\} \d+/);
    expect(metrics).toMatch(/rate_limit_rejections_total\{limit="account_lockout"\} \d+/);
  });

  it('shows the lock to admins and lets an admin clear it', async () => {
    const view = await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken));
    expect(Date.parse(view.body.locked_until)).toBeGreaterThan(Date.now());
    expect((await t.admin().post(`/api/v1/admin/users/${user.id}/unlock`).set(bearer(admin.accessToken))).status).toBe(204);
    expect((await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken))).body.locked_until).toBeNull();
    expect((await login(user.email, user.password, '192.0.2.201')).status).toBe(200);
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'admin.login_unlocked' })).toMatchObject({
      actorType: 'admin',
      actorIdentifier: admin.email,
    });
  });
});

describe('an email without an account', () => {
  it('behaves exactly the same: at most the threshold evaluated, then 429', async () => {
    const ghost = uniqueEmail('ghost');
    const statuses = await parallelGuesses(ghost);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    const after = await login(ghost, 'any password at all', '192.0.2.202');
    expect(after.status).toBe(429);
    expect(after.body.error.message).toMatch(/Too many failed logins/);
  });

  it('gets the same lock answer as an existing account, Retry-After included', async () => {
    const lockAnswer = async (email: string, password: string) => {
      for (let i = 0; i < 5; i++) expect((await login(email, 'wrong password!', '192.0.2.30')).status).toBe(401);
      return login(email, password, '192.0.2.30');
    };
    const user = await registerUser(t.http());
    const existing = await lockAnswer(user.email, user.password);
    const ghost = await lockAnswer(uniqueEmail('ghost'), user.password);
    for (const response of [existing, ghost]) {
      expect(response.status).toBe(429);
      expectErrorEnvelope(response.body, 'RATE_LIMITED');
      const retryAfter = Number(response.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(2); // LOGIN_LOCKOUT_BASE
    }
    expect(ghost.body.error.message).toBe(existing.body.error.message);
  });
});

describe('lock lifecycle', () => {
  it('resets the count on success, and escalates locks that follow each other', async () => {
    const user = await registerUser(t.http());
    for (let i = 0; i < 4; i++) expect((await login(user.email, 'wrong password!', '192.0.2.10')).status).toBe(401);
    expect((await login(user.email, user.password, '192.0.2.10')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(user.email, 'wrong password!', '192.0.2.10')).status).toBe(401);
    expect((await login(user.email, 'wrong password!', '192.0.2.10')).status).toBe(401); // the fifth: locks
    const locked = await login(user.email, user.password, '192.0.2.10');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(2);

    // The lock is kept on Redis's clock: wait until the admin API no longer shows it.
    const lockShown = async () => (await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken))).body.locked_until;
    await eventually(async () => (await lockShown()) === null, 10_000);
    for (let i = 0; i < 5; i++) await login(user.email, 'wrong password!', '192.0.2.10');
    const second = await login(user.email, user.password, '192.0.2.10');
    expect(second.status).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(2); // 2 s doubled to 4 s
  });

  it('answers 404 when unlocking an unknown user', async () => {
    expect(
      (await t.admin().post('/api/v1/admin/users/00000000-0000-4000-8000-000000000000/unlock').set(bearer(admin.accessToken))).status,
    ).toBe(404);
  });
});
