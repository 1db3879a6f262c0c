import { bearer, createAdmin, expectErrorEnvelope, registerUser, type RegisteredUser } from '../support/fixtures';
import { claimsOf, enrol, passwordStep, sql, StepClock } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/** The two-step login of an account with TOTP on: challenge, verify, tokens, refresh, throttle. */
let t: TestUserApi;
const clock = new StepClock();
const THRESHOLD = 5;

beforeAll(async () => {
  t = await startTestUserApi({ clock, env: { LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD), MFA_CHALLENGE_TTL: '5m' } });
});
afterAll(() => t.stop());

async function mfaUser(): Promise<RegisteredUser & { secret: string; recoveryCodes: string[] }> {
  const user = await registerUser(t.http());
  const enrolled = await enrol(t.http, user, clock);
  clock.nextStep();
  return { ...user, ...enrolled };
}

const verify = (mfaToken: string, code: string) => t.http().post('/api/v1/auth/mfa/verify').send({ mfa_token: mfaToken, code });

describe('the password step', () => {
  it('answers a challenge instead of tokens, and opens no session', async () => {
    const user = await mfaUser();
    const sessionsBefore = await sql(t.db.url, 'SELECT id FROM sessions WHERE user_id = $1', [user.id]);
    const response = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      mfa_required: true,
      mfa_token: expect.stringMatching(/^mfa_[A-Za-z0-9_-]{43}$/),
      mfa_expires_in: 300,
      methods: ['totp', 'recovery_code'],
    });
    expect(await sql(t.db.url, 'SELECT id FROM sessions WHERE user_id = $1', [user.id])).toEqual(sessionsBefore);
    // Only the token's hash is stored.
    expect(await sql(t.db.url, 'SELECT 1 FROM mfa_challenges WHERE token_hash = $1', [response.body.mfa_token])).toEqual([]);
  });

  it('still answers a wrong password with 401 INVALID_CREDENTIALS', async () => {
    const user = await mfaUser();
    const response = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password' });
    expect(response.status).toBe(401);
    expectErrorEnvelope(response.body, 'INVALID_CREDENTIALS');
  });
});

describe('verifying the challenge', () => {
  it('issues a pair with amr ["pwd","otp"], aal 2 and auth_time, which a refresh keeps', async () => {
    const user = await mfaUser();
    const mfaToken = await passwordStep(t.http, user.email, user.password);
    const loggedInAt = clock.now();
    const response = await verify(mfaToken, clock.code(user.secret));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', user: { id: user.id, mfa_enabled: true } });
    const authTime = Math.floor(loggedInAt.getTime() / 1000);
    expect(claimsOf(response.body.access_token)).toMatchObject({ amr: ['pwd', 'otp'], aal: 2, auth_time: authTime });

    clock.advance(10 * 60_000);
    const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: response.body.refresh_token });
    expect(refreshed.status).toBe(200);
    const claims = claimsOf(refreshed.body.access_token);
    expect(claims).toMatchObject({ amr: ['pwd', 'otp'], aal: 2, auth_time: authTime });
    expect(claims.iat).toBeGreaterThan(authTime);
    clock.nextStep();
  });

  it('gives password-only logins amr ["pwd"] and aal 1, before and after a refresh', async () => {
    const user = await registerUser(t.http());
    expect(claimsOf(user.accessToken)).toMatchObject({ amr: ['pwd'], aal: 1, auth_time: expect.any(Number) });
    const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: user.refreshToken });
    expect(claimsOf(refreshed.body.access_token)).toMatchObject({ amr: ['pwd'], aal: 1, auth_time: claimsOf(user.accessToken).auth_time });
  });

  it('is single use: the same challenge cannot be verified twice', async () => {
    const user = await mfaUser();
    const mfaToken = await passwordStep(t.http, user.email, user.password);
    expect((await verify(mfaToken, clock.code(user.secret))).status).toBe(200);
    clock.nextStep();
    const again = await verify(mfaToken, clock.code(user.secret));
    expect(again.status).toBe(401);
    expectErrorEnvelope(again.body, 'INVALID_MFA_TOKEN');
  });

  it('dies after five wrong codes, even for the right code afterwards', async () => {
    const user = await mfaUser();
    const mfaToken = await passwordStep(t.http, user.email, user.password);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await verify(mfaToken, '000000');
      expect(response.status).toBe(401);
      expectErrorEnvelope(response.body, 'INVALID_MFA_CODE');
    }
    // Five wrong codes also locked the account (and used up this address's budget): an admin lifts both.
    const admin = await createAdmin(t);
    expect((await t.admin().post(`/api/v1/admin/users/${user.id}/unlock`).set(bearer(admin.accessToken))).status).toBe(204);
    const dead = await verify(mfaToken, clock.code(user.secret));
    expect(dead.status).toBe(401);
    expectErrorEnvelope(dead.body, 'INVALID_MFA_TOKEN');
    expect(
      await sql(
        t.db.url,
        "SELECT failure_reason, metadata FROM audit_logs WHERE user_id = $1 AND event_type = 'auth.mfa.failed' ORDER BY created_at",
        [user.id],
      ),
    ).toHaveLength(5);
  });

  it('expires after MFA_CHALLENGE_TTL', async () => {
    const user = await mfaUser();
    const mfaToken = await passwordStep(t.http, user.email, user.password);
    clock.advance(5 * 60_000);
    const response = await verify(mfaToken, clock.code(user.secret));
    expect(response.status).toBe(401);
    expectErrorEnvelope(response.body, 'INVALID_MFA_TOKEN');
    clock.nextStep();
  });

  it('refuses unknown and malformed challenge tokens alike', async () => {
    for (const token of ['mfa_' + 'A'.repeat(43), 'not-a-token', 'x'.repeat(512)]) {
      const response = await verify(token, '123456');
      expect(response.status).toBe(401);
      expectErrorEnvelope(response.body, 'INVALID_MFA_TOKEN');
    }
  });

  it('counts each wrong code as a failed login: the account locks at the threshold, across challenges', async () => {
    const user = await mfaUser();
    // A right password in between resets nothing: only a completed login does.
    for (let attempt = 1; attempt <= THRESHOLD; attempt++) {
      const mfaToken = await passwordStep(t.http, user.email, user.password);
      const response = await verify(mfaToken, '000000');
      expect(response.status).toBe(401);
    }
    const locked = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(locked.status).toBe(429);
    expectErrorEnvelope(locked.body, 'RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const [lock] = await sql(t.db.url, "SELECT severity FROM audit_logs WHERE user_id = $1 AND event_type = 'security.login_locked'", [
      user.id,
    ]);
    expect(lock).toEqual({ severity: 'critical' });
  });
});

describe('one code, many requests at once', () => {
  it('accepts a TOTP code for exactly one of two logins verifying it in parallel', async () => {
    const user = await mfaUser();
    const [first, second] = [await passwordStep(t.http, user.email, user.password), await passwordStep(t.http, user.email, user.password)];
    const code = clock.code(user.secret);
    const answers = await Promise.all([verify(first, code), verify(second, code)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    expect(answers.find((answer) => answer.status === 401)?.body.error.code).toBe('INVALID_MFA_CODE');
    clock.nextStep();
  });

  it('verifies one challenge once when the same request arrives twice at the same moment', async () => {
    const user = await mfaUser();
    const mfaToken = await passwordStep(t.http, user.email, user.password);
    const code = clock.code(user.secret);
    const answers = await Promise.all([verify(mfaToken, code), verify(mfaToken, code)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    expect(await sql(t.db.url, 'SELECT id FROM sessions WHERE user_id = $1 AND aal = 2', [user.id])).toHaveLength(1);
    clock.nextStep();
  });

  it('uses a recovery code once when two logins present it in parallel', async () => {
    const user = await mfaUser();
    const tokens = await Promise.all([1, 2, 3].map(() => passwordStep(t.http, user.email, user.password)));
    const answers = await Promise.all(tokens.map((token) => verify(token, user.recoveryCodes[0] as string)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401, 401]);
    const [counts] = await sql(
      t.db.url,
      'SELECT count(*) FILTER (WHERE used_at IS NOT NULL)::int AS used FROM mfa_recovery_codes WHERE user_id = $1',
      [user.id],
    );
    expect(counts).toEqual({ used: 1 });
  });
});

describe('the admin listener', () => {
  it('has the same two steps, for challenges of the admin login only', async () => {
    const admin = await registerUser(t.http());
    await sql(t.db.url, "UPDATE users SET role = 'admin' WHERE id = $1", [admin.id]);
    const relogged = await t.http().post('/api/v1/auth/login').send({ email: admin.email, password: admin.password });
    const { secret } = await enrol(t.http, { ...admin, accessToken: relogged.body.access_token }, clock);
    clock.nextStep();

    const publicChallenge = await passwordStep(t.http, admin.email, admin.password);
    const crossed = await t
      .admin()
      .post('/api/v1/admin/auth/mfa/verify')
      .send({ mfa_token: publicChallenge, code: clock.code(secret) });
    expect(crossed.status).toBe(401);
    expectErrorEnvelope(crossed.body, 'INVALID_MFA_TOKEN');

    const adminChallenge = await passwordStep(t.admin, admin.email, admin.password, '/api/v1/admin/auth/login');
    const response = await t
      .admin()
      .post('/api/v1/admin/auth/mfa/verify')
      .send({ mfa_token: adminChallenge, code: clock.code(secret) });
    expect(response.status).toBe(200);
    expect(claimsOf(response.body.access_token)).toMatchObject({ role: 'admin', amr: ['pwd', 'otp'], aal: 2 });
    expect((await t.admin().get('/api/v1/admin/stats').set(bearer(response.body.access_token))).status).toBe(200);
    clock.nextStep();
  });
});
