import { bearer, expectErrorEnvelope, registerUser, type RegisteredUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * POST /users/me/password with someone else's access token must not be a way around the login
 * lockout (docs/security.md#password-guessing): wrong current passwords count on the same per-account
 * counter as failed logins — also with RATE_LIMIT_ENABLED=false, as this suite runs — and no answer
 * tells a right current password from a wrong one.
 */
let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi({ env: { RATE_LIMIT_ENABLED: 'false', LOGIN_LOCKOUT_THRESHOLD: '5', LOGIN_LOCKOUT_BASE: '1m' } });
});
afterAll(() => t.stop());

const changePassword = (user: RegisteredUser, body: Record<string, string>) =>
  t.http().post('/api/v1/users/me/password').set(bearer(user.accessToken)).send(body);

/** The answer without what differs between any two requests (the request id). */
function comparable(response: { status: number; body: { error?: Record<string, unknown> } }) {
  const { request_id: _requestId, ...error } = response.body.error ?? {};
  return { status: response.status, error };
}

describe('guessing the current password of a signed-in account', () => {
  it('answers the 6th wrong guess with 429 and locks the login too', async () => {
    const victim = await registerUser(t.http());
    const statuses: number[] = [];
    for (let guess = 0; guess < 6; guess++) {
      statuses.push(
        (await changePassword(victim, { current_password: `guess number ${guess}`, new_password: 'a brand new passphrase' })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);

    const login = await t.http().post('/api/v1/auth/login').send({ email: victim.email, password: victim.password });
    expect(login.status).toBe(429);
    expectErrorEnvelope(login.body, 'RATE_LIMITED');
    expect(Number(login.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right current password is refused while the lock lasts.
    expect((await changePassword(victim, { current_password: victim.password, new_password: 'a brand new passphrase' })).status).toBe(429);
  });

  it('gives the same answer to a right and a wrong current password when the new one is weak', async () => {
    const victim = await registerUser(t.http());
    const right = await changePassword(victim, { current_password: victim.password, new_password: 'password' });
    const wrong = await changePassword(victim, { current_password: 'not the password', new_password: 'password' });
    expect(right.status).toBe(422);
    expectErrorEnvelope(right.body, 'WEAK_PASSWORD');
    expect(comparable(wrong)).toEqual(comparable(right));
    // Nothing was counted: the account can still log in.
    expect((await t.http().post('/api/v1/auth/login').send({ email: victim.email, password: victim.password })).status).toBe(200);
  });
});
