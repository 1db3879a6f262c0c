import { bearer, expectErrorEnvelope, registerUser, type RegisteredUser } from '../support/fixtures';
import { claimsOf, enrol, logInWithTotp, passwordStep, sql, StepClock } from '../support/mfa';
import { base32Decode, hotp, totpAt } from '@pandora/testing';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/** TOTP enrolment, status, recovery codes and disabling, over real HTTP, PostgreSQL and Redis. */
let t: TestUserApi;
const clock = new StepClock();

beforeAll(async () => {
  t = await startTestUserApi({ clock });
});
afterAll(() => t.stop());

describe("the tests' own RFC 6238 implementation", () => {
  it('reproduces the RFC 6238 SHA-1 test vectors', () => {
    const seed = Buffer.from('12345678901234567890', 'ascii');
    expect(hotp(seed, Math.floor(59 / 30), 8)).toBe('94287082');
    expect(hotp(seed, Math.floor(1111111109 / 30), 8)).toBe('07081804');
    expect(totpAt('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
    expect(totpAt('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1_111_111_109_000)).toBe('081804');
    expect(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ').equals(seed)).toBe(true);
  });
});

async function startSetup(user: RegisteredUser) {
  const response = await t.http().post('/api/v1/users/me/mfa/totp/setup').set(bearer(user.accessToken)).send({ password: user.password });
  expect(response.status).toBe(200);
  return response.body as { secret: string; otpauth_url: string };
}

const confirm = (user: RegisteredUser, code: string) =>
  t.http().post('/api/v1/users/me/mfa/totp/confirm').set(bearer(user.accessToken)).send({ code });
const status = async (user: RegisteredUser) => (await t.http().get('/api/v1/users/me/mfa').set(bearer(user.accessToken))).body;

describe('TOTP enrolment', () => {
  it('answers a base32 secret and an otpauth URL an authenticator app imports, and changes nothing until confirmed', async () => {
    const user = await registerUser(t.http());
    const setup = await startSetup(user);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(setup.secret)).toHaveLength(20);
    const url = new URL(setup.otpauth_url);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe(`/Pandora Exchange:${user.email}`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret: setup.secret,
      issuer: 'Pandora Exchange',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    expect(await status(user)).toEqual({ totp_enabled: false, recovery_codes_remaining: 0 });
    // Still a one-step login.
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).body.access_token).toEqual(
      expect.any(String),
    );
  });

  it('turns TOTP on with the right code: ten recovery codes, MFA on everywhere, other sessions revoked, event and audit row', async () => {
    const user = await registerUser(t.http());
    const other = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    const setup = await startSetup(user);

    const response = await confirm(user, clock.code(setup.secret));
    expect(response.status).toBe(200);
    expect(response.body.recovery_codes).toHaveLength(10);
    expect(new Set(response.body.recovery_codes).size).toBe(10);
    for (const code of response.body.recovery_codes) expect(code).toMatch(/^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$/);

    expect(await status(user)).toEqual({ totp_enabled: true, recovery_codes_remaining: 10 });
    expect((await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).body.mfa_enabled).toBe(true);
    // The caller's session survives; the other one (opened without the second factor) does not.
    expect((await t.http().get('/api/v1/users/me').set(bearer(other.body.access_token))).status).toBe(401);

    const events = await sql<{ event_type: string; payload: Record<string, unknown> }>(
      t.db.url,
      'SELECT event_type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq',
      [user.id],
    );
    expect(events.filter((event) => event.event_type.startsWith('user.mfa') || event.event_type === 'session.revoked')).toEqual([
      {
        event_type: 'session.revoked',
        payload: { session_ids: [other.body.access_token && claimsOf(other.body.access_token).sid], reason: 'mfa_enabled' },
      },
      { event_type: 'user.mfa.enabled', payload: { email: user.email } },
    ]);
    const [audit] = await sql(
      t.db.url,
      "SELECT actor_type, actor_identifier, status, metadata FROM audit_logs WHERE user_id = $1 AND event_type = 'user.mfa.enabled'",
      [user.id],
    );
    expect(audit).toEqual({
      actor_type: 'user',
      actor_identifier: user.email,
      status: 'success',
      metadata: { method: 'totp', recovery_codes_issued: 10, revoked_sessions: 1 },
    });
    const [row] = await sql(t.db.url, 'SELECT mfa_enabled, security_changed_at FROM users WHERE id = $1', [user.id]);
    expect(row).toEqual({ mfa_enabled: true, security_changed_at: clock.now() });
  });

  it('refuses a wrong code, and a code from two steps away, and accepts one from the step before or after', async () => {
    const early = await registerUser(t.http());
    const earlySetup = await startSetup(early);
    for (const code of ['000000', clock.code(earlySetup.secret, -2), clock.code(earlySetup.secret, 2), 'ABCDE-23456', 'nonsense']) {
      const response = await confirm(early, code);
      expect(response.status).toBe(401);
      expectErrorEnvelope(response.body, 'INVALID_MFA_CODE');
    }
    expect((await confirm(early, clock.code(earlySetup.secret, -1))).status).toBe(200);

    const late = await registerUser(t.http());
    const lateSetup = await startSetup(late);
    expect((await confirm(late, clock.code(lateSetup.secret, +1))).status).toBe(200);
  });

  it('never accepts the enrolment code again, nor an earlier code, even at the next login', async () => {
    const user = await registerUser(t.http());
    const setup = await startSetup(user);
    const code = clock.code(setup.secret);
    expect((await confirm(user, code)).status).toBe(200);

    const mfaToken = await passwordStep(t.http, user.email, user.password);
    for (const replay of [code, clock.code(setup.secret, -1)]) {
      const response = await t.http().post('/api/v1/auth/mfa/verify').send({ mfa_token: mfaToken, code: replay });
      expect(response.status).toBe(401);
      expectErrorEnvelope(response.body, 'INVALID_MFA_CODE');
    }
    clock.nextStep();
    expect(
      (
        await t
          .http()
          .post('/api/v1/auth/mfa/verify')
          .send({ mfa_token: mfaToken, code: clock.code(setup.secret) })
      ).status,
    ).toBe(200);
    clock.nextStep();
  });

  it('replaces the pending secret when setup runs again; only the newest one confirms', async () => {
    const user = await registerUser(t.http());
    const first = await startSetup(user);
    const second = await startSetup(user);
    expect(second.secret).not.toBe(first.secret);
    expect((await confirm(user, clock.code(first.secret))).status).toBe(401);
    expect((await confirm(user, clock.code(second.secret))).status).toBe(200);
  });

  it('answers 409 for a confirm without a setup, and for a setup or confirm while TOTP is on', async () => {
    const user = await registerUser(t.http());
    const none = await confirm(user, '123456');
    expect(none.status).toBe(409);
    expectErrorEnvelope(none.body, 'MFA_SETUP_REQUIRED');

    await enrol(t.http, user, clock);
    clock.nextStep();
    const again = await t.http().post('/api/v1/users/me/mfa/totp/setup').set(bearer(user.accessToken)).send({ password: user.password });
    expect(again.status).toBe(409);
    expectErrorEnvelope(again.body, 'MFA_ALREADY_ENABLED');
    const reconfirm = await confirm(user, '123456');
    expect(reconfirm.status).toBe(409);
    expectErrorEnvelope(reconfirm.body, 'MFA_ALREADY_ENABLED');
  });

  it('refuses a wrong password with 401 INVALID_CREDENTIALS', async () => {
    const user = await registerUser(t.http());
    const response = await t
      .http()
      .post('/api/v1/users/me/mfa/totp/setup')
      .set(bearer(user.accessToken))
      .send({ password: 'not my password' });
    expect(response.status).toBe(401);
    expectErrorEnvelope(response.body, 'INVALID_CREDENTIALS');
  });
});

describe('recovery codes', () => {
  it('regenerates the set with a code: the old set stops working, the new one works', async () => {
    const user = await registerUser(t.http());
    const { secret, recoveryCodes: oldCodes } = await enrol(t.http, user, clock);
    clock.nextStep();

    const wrong = await t.http().post('/api/v1/users/me/mfa/recovery-codes').set(bearer(user.accessToken)).send({ code: '000000' });
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong.body, 'INVALID_MFA_CODE');

    const regenerated = await t
      .http()
      .post('/api/v1/users/me/mfa/recovery-codes')
      .set(bearer(user.accessToken))
      .send({ code: clock.code(secret) });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.recovery_codes).toHaveLength(10);
    expect(regenerated.body.recovery_codes).not.toEqual(expect.arrayContaining([oldCodes[0]]));

    const mfaToken = await passwordStep(t.http, user.email, user.password);
    const old = await t.http().post('/api/v1/auth/mfa/verify').send({ mfa_token: mfaToken, code: oldCodes[0] });
    expect(old.status).toBe(401);
    // Typed in lower case without its dash: still the code.
    const fresh = (regenerated.body.recovery_codes[0] as string).replace('-', '').toLowerCase();
    const ok = await t.http().post('/api/v1/auth/mfa/verify').send({ mfa_token: mfaToken, code: fresh });
    expect(ok.status).toBe(200);
    expect(claimsOf(ok.body.access_token)).toMatchObject({ amr: ['pwd', 'otp'], aal: 2 });
    expect(await status({ ...user, accessToken: ok.body.access_token })).toEqual({ totp_enabled: true, recovery_codes_remaining: 9 });
  });

  it('answers 409 MFA_SETUP_REQUIRED without TOTP', async () => {
    const user = await registerUser(t.http());
    const response = await t.http().post('/api/v1/users/me/mfa/recovery-codes').set(bearer(user.accessToken)).send({ code: '123456' });
    expect(response.status).toBe(409);
    expectErrorEnvelope(response.body, 'MFA_SETUP_REQUIRED');
  });
});

describe('turning MFA off', () => {
  it('needs the password and a code; then logins are one step again, with an event and an audit row', async () => {
    const user = await registerUser(t.http());
    const { secret } = await enrol(t.http, user, clock);
    clock.nextStep();
    const session = await logInWithTotp(t.http, user, secret, clock);

    const wrongPassword = await t
      .http()
      .delete('/api/v1/users/me/mfa')
      .set(bearer(session.accessToken))
      .send({ password: 'nope', code: clock.code(secret) });
    expect(wrongPassword.status).toBe(401);
    expectErrorEnvelope(wrongPassword.body, 'INVALID_CREDENTIALS');
    const wrongCode = await t
      .http()
      .delete('/api/v1/users/me/mfa')
      .set(bearer(session.accessToken))
      .send({ password: user.password, code: '000000' });
    expect(wrongCode.status).toBe(401);
    expectErrorEnvelope(wrongCode.body, 'INVALID_MFA_CODE');

    const disabled = await t
      .http()
      .delete('/api/v1/users/me/mfa')
      .set(bearer(session.accessToken))
      .send({ password: user.password, code: clock.code(secret) });
    expect(disabled.status).toBe(204);
    expect(await status(session)).toEqual({ totp_enabled: false, recovery_codes_remaining: 0 });
    const login = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(login.body).toMatchObject({ access_token: expect.any(String), user: { mfa_enabled: false } });
    expect(claimsOf(login.body.access_token)).toMatchObject({ amr: ['pwd'], aal: 1 });

    const [event] = await sql(
      t.db.url,
      "SELECT payload, metadata FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'user.mfa.disabled'",
      [user.id],
    );
    expect(event).toMatchObject({ payload: { email: user.email, reason: 'user' }, metadata: { actor_id: user.id, actor_type: 'user' } });
    expect(
      await sql(t.db.url, 'SELECT 1 FROM user_mfa WHERE user_id = $1 UNION ALL SELECT 1 FROM mfa_recovery_codes WHERE user_id = $1', [
        user.id,
      ]),
    ).toEqual([]);
    expect(
      await sql(t.db.url, "SELECT metadata FROM audit_logs WHERE user_id = $1 AND event_type = 'user.mfa.disabled'", [user.id]),
    ).toEqual([{ metadata: { reason: 'user', second_factor: 'totp' } }]);
  });

  it('answers 409 MFA_SETUP_REQUIRED when MFA is not on', async () => {
    const user = await registerUser(t.http());
    const response = await t
      .http()
      .delete('/api/v1/users/me/mfa')
      .set(bearer(user.accessToken))
      .send({ password: user.password, code: '123456' });
    expect(response.status).toBe(409);
    expectErrorEnvelope(response.body, 'MFA_SETUP_REQUIRED');
  });
});
