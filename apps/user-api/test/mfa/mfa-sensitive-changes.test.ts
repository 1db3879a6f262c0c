import { bearer, expectErrorEnvelope, registerUser, STRONG_PASSWORD } from '../support/fixtures';
import { enrol, logInWithTotp, sql, StepClock } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/** Sensitive changes of an account with TOTP on need a second factor (`mfa_code`). */
let t: TestUserApi;
const clock = new StepClock();
const THRESHOLD = 4;

beforeAll(async () => {
  t = await startTestUserApi({ clock, env: { LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD) } });
});
afterAll(() => t.stop());

const changePassword = (accessToken: string, body: Record<string, unknown>) =>
  t.http().post('/api/v1/users/me/password').set(bearer(accessToken)).send(body);

describe('POST /users/me/password with MFA on', () => {
  it('answers 401 MFA_REQUIRED without mfa_code and INVALID_MFA_CODE with a wrong one, changing nothing', async () => {
    const user = await registerUser(t.http());
    const { secret } = await enrol(t.http, user, clock);
    clock.nextStep();
    const session = await logInWithTotp(t.http, user, secret, clock);
    const [before] = await sql(t.db.url, 'SELECT password_hash FROM users WHERE id = $1', [user.id]);

    const missing = await changePassword(session.accessToken, { current_password: user.password, new_password: 'a brand new passphrase' });
    expect(missing.status).toBe(401);
    expectErrorEnvelope(missing.body, 'MFA_REQUIRED');
    const wrong = await changePassword(session.accessToken, {
      current_password: user.password,
      new_password: 'a brand new passphrase',
      mfa_code: '000000',
    });
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong.body, 'INVALID_MFA_CODE');
    expect(await sql(t.db.url, 'SELECT password_hash FROM users WHERE id = $1', [user.id])).toEqual([before]);
  });

  it('changes the password with a TOTP code, and refuses the same code for a second change', async () => {
    const user = await registerUser(t.http());
    const { secret } = await enrol(t.http, user, clock);
    clock.nextStep();
    const session = await logInWithTotp(t.http, user, secret, clock);
    const code = clock.code(secret);
    const changed = await changePassword(session.accessToken, {
      current_password: user.password,
      new_password: 'a brand new passphrase',
      mfa_code: code,
    });
    expect(changed.status).toBe(204);
    const replayed = await changePassword(session.accessToken, {
      current_password: 'a brand new passphrase',
      new_password: 'yet another passphrase',
      mfa_code: code,
    });
    expect(replayed.status).toBe(401);
    expectErrorEnvelope(replayed.body, 'INVALID_MFA_CODE');
    const [row] = await sql(t.db.url, 'SELECT security_changed_at FROM users WHERE id = $1', [user.id]);
    expect(row).toEqual({ security_changed_at: clock.now() });
  });

  it('takes a recovery code too, and uses it up', async () => {
    const user = await registerUser(t.http());
    const { secret, recoveryCodes } = await enrol(t.http, user, clock);
    clock.nextStep();
    const session = await logInWithTotp(t.http, user, secret, clock);
    const body = { current_password: user.password, new_password: 'a brand new passphrase', mfa_code: recoveryCodes[3] };
    expect((await changePassword(session.accessToken, body)).status).toBe(204);
    const again = await changePassword(session.accessToken, {
      ...body,
      current_password: 'a brand new passphrase',
      new_password: STRONG_PASSWORD,
    });
    expect(again.status).toBe(401);
    expectErrorEnvelope(again.body, 'INVALID_MFA_CODE');
  });

  it('counts wrong codes toward the account lock, however often the right password comes with them', async () => {
    const user = await registerUser(t.http());
    const { secret } = await enrol(t.http, user, clock);
    clock.nextStep();
    const session = await logInWithTotp(t.http, user, secret, clock);
    for (let attempt = 1; attempt <= THRESHOLD; attempt++) {
      const response = await changePassword(session.accessToken, {
        current_password: user.password,
        new_password: 'a brand new passphrase',
        mfa_code: `00000${attempt}`,
      });
      expect(response.status).toBe(401);
    }
    const locked = await changePassword(session.accessToken, {
      current_password: user.password,
      new_password: 'a brand new passphrase',
      mfa_code: clock.code(secret),
    });
    expect(locked.status).toBe(429);
    expectErrorEnvelope(locked.body, 'RATE_LIMITED');
  });

  it('needs no mfa_code from an account without MFA (and ignores one)', async () => {
    const user = await registerUser(t.http());
    expect(
      (await changePassword(user.accessToken, { current_password: user.password, new_password: 'a brand new passphrase' })).status,
    ).toBe(204);
    const other = await registerUser(t.http());
    expect(
      (
        await changePassword(other.accessToken, {
          current_password: other.password,
          new_password: 'a brand new passphrase',
          mfa_code: '123456',
        })
      ).status,
    ).toBe(204);
  });
});
