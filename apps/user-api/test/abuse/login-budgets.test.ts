import { bearer, createAdmin, expectErrorEnvelope, registerUser, type AdminSession, type RegisteredUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * What people logging in see of the login limits, over real HTTP and Redis, with the documented
 * budgets (APP_ENV=test): only FAILED logins count — 5 per (client IP, email) per 15 minutes, 5
 * consecutive per account before a lock — a success resets them, and an admin unlock clears both.
 * TRUST_PROXY=loopback lets the test speak as several client IPs.
 */
let t: TestUserApi;
let admin: AdminSession;
beforeAll(async () => {
  // The harness relaxes these for the other suites; back to the documented defaults here.
  t = await startTestUserApi({ env: { RATE_LIMIT_ENABLED: 'true', LOGIN_LOCKOUT_THRESHOLD: '5', TRUST_PROXY: 'loopback' } });
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

let ipCounter = 1;
const nextIp = () => `198.18.0.${ipCounter++}`;
const login = (email: string, password: string, ip: string) =>
  t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });

describe('under the default limits', () => {
  let user: RegisteredUser;
  beforeAll(async () => {
    user = await registerUser(t.http().set('X-Forwarded-For', nextIp()));
  });

  it('lets ten successful logins in a row from one IP for one email all succeed', async () => {
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(user.email, user.password, ip)).status);
    expect(statuses).toEqual(Array(10).fill(200));
  });

  it('resets the count on success: four failures, a success, four failures, and the right password still works', async () => {
    const ip = nextIp();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await login(user.email, 'not my password', ip)).status).toBe(401);
      expect((await login(user.email, user.password, ip)).status).toBe(200);
    }
  });

  it('refuses the sixth attempt after five failures from one IP, with Retry-After, while another IP may still try', async () => {
    const other = await registerUser(t.http().set('X-Forwarded-For', nextIp()));
    const ip = nextIp();
    // Five failures from one IP also reach the account's threshold: both limits speak here.
    for (let i = 0; i < 5; i++) expect((await login(other.email, 'not my password', ip)).status).toBe(401);
    const refused = await login(other.email, other.password, ip);
    expect(refused.status).toBe(429);
    expectErrorEnvelope(refused.body, 'RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('admin unlock', () => {
  it('lifts the (IP, email) limit of a limited account, which then logs in from that IP again', async () => {
    // A tighter per-(IP, email) budget than the account threshold, so that only the IP limit bites.
    const limited = await startTestUserApi({
      env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_LOGIN_REQUESTS: '3', LOGIN_LOCKOUT_THRESHOLD: '5', TRUST_PROXY: 'loopback' },
    });
    try {
      const root = await createAdmin(limited);
      const user = await registerUser(limited.http());
      const ip = nextIp();
      const attempt = (password: string, from = ip) =>
        limited.http().post('/api/v1/auth/login').set('X-Forwarded-For', from).send({ email: user.email, password });
      for (let i = 0; i < 3; i++) expect((await attempt('not my password')).status).toBe(401);
      const refused = await attempt(user.password);
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toContain('login limit');
      expect((await limited.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(root.accessToken))).body.locked_until).toBeNull();

      expect((await limited.admin().post(`/api/v1/admin/users/${user.id}/unlock`).set(bearer(root.accessToken))).status).toBe(204);
      expect((await attempt(user.password)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('lifts the account lock and every IP window at once', async () => {
    const user = await registerUser(t.http().set('X-Forwarded-For', nextIp()));
    const [first, second] = [nextIp(), nextIp()];
    for (let i = 0; i < 3; i++) expect((await login(user.email, 'not my password', first)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await login(user.email, 'not my password', second)).status).toBe(401);
    // Five consecutive failures: the account is locked, whatever the IP.
    expect((await login(user.email, user.password, nextIp())).status).toBe(429);
    const view = await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken));
    expect(Date.parse(view.body.locked_until)).toBeGreaterThan(Date.now());

    expect((await t.admin().post(`/api/v1/admin/users/${user.id}/unlock`).set(bearer(admin.accessToken))).status).toBe(204);
    expect((await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken))).body.locked_until).toBeNull();
    // The first IP had three failures of its own: cleared too, so it gets its full budget back.
    for (let i = 0; i < 4; i++) expect((await login(user.email, 'not my password', first)).status).toBe(401);
    expect((await login(user.email, user.password, first)).status).toBe(200);
    expect((await login(user.email, user.password, second)).status).toBe(200);
  });
});
