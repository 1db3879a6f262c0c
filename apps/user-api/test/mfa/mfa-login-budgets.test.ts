import { bearer, expectErrorEnvelope, registerUser, type RegisteredUser } from '../support/fixtures';
import { enrol, StepClock } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * Wrong second-factor codes and wrong passwords of signed-in users are failed logins on BOTH login
 * budgets — the account's consecutive failures and the failures per (client IP, email) — over real
 * HTTP and Redis; for an MFA account only a proved second factor resets them (docs/mfa.md).
 * A tight per-(IP, email) budget (3) below the account threshold (10), so that the IP limit is
 * the one that speaks; TRUST_PROXY=loopback lets the test speak as several client IPs.
 */
let t: TestUserApi;
const clock = new StepClock();

beforeAll(async () => {
  t = await startTestUserApi({
    clock,
    env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_LOGIN_REQUESTS: '3', LOGIN_LOCKOUT_THRESHOLD: '10', TRUST_PROXY: 'loopback' },
  });
});
afterAll(() => t.stop());

let ipCounter = 1;
const nextIp = () => `198.18.1.${ipCounter++}`;

const login = (user: RegisteredUser, ip: string) =>
  t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: user.email, password: user.password });
const verify = (mfaToken: string, code: string, ip: string) =>
  t.http().post('/api/v1/auth/mfa/verify').set('X-Forwarded-For', ip).send({ mfa_token: mfaToken, code });

async function challengeFrom(user: RegisteredUser, ip: string): Promise<string> {
  const response = await login(user, ip);
  expect(response.body.mfa_required).toBe(true);
  return response.body.mfa_token;
}

describe('the login budgets of an account with two-factor authentication', () => {
  it('counts wrong codes per (IP, email) across challenges; a right password in between resets nothing; another IP has its own budget', async () => {
    const user = await registerUser(t.http().set('X-Forwarded-For', nextIp()));
    const { secret } = await enrol(t.http, user, clock);
    clock.nextStep();
    const ip = nextIp();

    const first = await challengeFrom(user, ip);
    for (let i = 0; i < 2; i++) expectErrorEnvelope((await verify(first, '000000', ip)).body, 'INVALID_MFA_CODE');
    // The right password again: a new challenge, and the two failures still stand.
    const second = await challengeFrom(user, ip);
    expectErrorEnvelope((await verify(second, '000000', ip)).body, 'INVALID_MFA_CODE');

    const refused = await verify(second, clock.code(secret), ip);
    expect(refused.status).toBe(429);
    expectErrorEnvelope(refused.body, 'RATE_LIMITED');
    expect(refused.body.error.message).toContain('login limit');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The password step from that address is refused too: the budget is the (IP, email) pair's.
    expect((await login(user, ip)).status).toBe(429);

    // Another address still has its whole budget, and completes the login.
    const elsewhere = nextIp();
    const third = await challengeFrom(user, elsewhere);
    const verified = await verify(third, clock.code(secret), elsewhere);
    expect(verified.status).toBe(200);
    expect(verified.body).toHaveProperty('access_token');
    // Its success resets the account and ITS window, not the first address's.
    expect((await login(user, ip)).status).toBe(429);
  });

  it('counts a wrong current password of a password change per (IP, email) as well', async () => {
    const user = await registerUser(t.http().set('X-Forwarded-For', nextIp()));
    const ip = nextIp();
    const change = (currentPassword: string) =>
      t
        .http()
        .post('/api/v1/users/me/password')
        .set('X-Forwarded-For', ip)
        .set(bearer(user.accessToken))
        .send({ current_password: currentPassword, new_password: 'an entirely new passphrase' });
    for (let i = 0; i < 3; i++) expectErrorEnvelope((await change('not my password')).body, 'INVALID_CREDENTIALS');

    const refused = await change(user.password);
    expect(refused.status).toBe(429);
    expectErrorEnvelope(refused.body, 'RATE_LIMITED');
    expect((await login(user, ip)).status).toBe(429);
    expect((await login(user, nextIp())).status).toBe(200);
  });
});
