import { bearer, expectErrorEnvelope, registerUser, uniqueEmail } from '../support/fixtures';
import { linkTokenOf, queuedMails } from '../support/mailbox';
import { enrol, passwordStep, sql, StepClock } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';
import { pairedTimingRatio } from '../support/timing';

let t: TestUserApi;
const clock = new StepClock();

beforeAll(async () => {
  t = await startTestUserApi({ clock });
});
afterAll(() => t.stop());

const forgot = (email: string, api = t) => api.http().post('/api/v1/auth/password/forgot').send({ email });
const reset = (body: Record<string, unknown>) => t.http().post('/api/v1/auth/password/reset').send(body);

describe('password recovery', () => {
  it('answers an unknown address exactly like a known one, and mails only the known one', async () => {
    const user = await registerUser(t.http());
    const stranger = uniqueEmail('nobody');
    const known = await forgot(user.email);
    const unknown = await forgot(stranger);
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    expect(unknown.body).toEqual({});
    await t.api.background.settled();
    expect(await queuedMails(t.db.url, user.email, 'password_reset')).toHaveLength(1);
    expect(await queuedMails(t.db.url, stranger)).toEqual([]);
  });

  it('takes as long to answer for an unknown address as for a known one', async () => {
    const user = await registerUser(t.http());
    // One answer takes a few milliseconds: five in a row make a sample the machine's noise does not drown.
    const fiveTimes = async (email: () => string) => {
      for (let i = 0; i < 5; i++) await forgot(email()).expect(202);
    };
    const { ratio } = await pairedTimingRatio(
      () => fiveTimes(() => user.email),
      () => fiveTimes(() => uniqueEmail('nobody')),
    );
    await t.api.background.settled();
    // The lookup and the mail happen after the answer, so neither path can be told apart.
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  });

  it('leaves the link usable after a weak password, then uses it once', async () => {
    const user = await registerUser(t.http());
    await forgot(user.email);
    const token = await linkTokenOf(t.db.url, user.email, 'password_reset');
    const weak = await reset({ token, new_password: user.email });
    expect(weak.status).toBe(422);
    expectErrorEnvelope(weak.body, 'WEAK_PASSWORD');
    expect((await reset({ token, new_password: 'a brand new passphrase' })).status).toBe(204);
    const again = await reset({ token, new_password: 'a brand new passphrase' });
    expect(again.status).toBe(400);
    expectErrorEnvelope(again.body, 'INVALID_OR_EXPIRED_TOKEN');
    expect(await sql(t.db.url, 'SELECT email_verified_at IS NOT NULL AS verified FROM users WHERE id = $1', [user.id])).toEqual([
      { verified: true },
    ]);
    expect(
      await sql(t.db.url, "SELECT payload FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'user.password.reset'", [user.id]),
    ).toEqual([{ payload: { email: user.email } }]);
  });

  it('keeps the link token out of the logs, the audit trail and the events', async () => {
    const user = await registerUser(t.http());
    await forgot(user.email);
    const token = await linkTokenOf(t.db.url, user.email, 'password_reset');
    await reset({ token, new_password: 'short' });
    expect((await reset({ token, new_password: 'a brand new passphrase' })).status).toBe(204);
    await reset({ token, new_password: 'a brand new passphrase' });
    expect(t.rawLogs()).not.toContain(token);
    const records = await sql(
      t.db.url,
      `SELECT (SELECT coalesce(json_agg(a), '[]') FROM audit_logs a WHERE a.user_id = $1)::text AS audit,
              (SELECT coalesce(json_agg(o), '[]') FROM outbox_events o WHERE o.aggregate_id = $1)::text AS events`,
      [user.id],
    );
    expect(JSON.stringify(records)).not.toContain(token);
    expect(JSON.stringify(records)).toContain('user.password.reset');
  });

  it('lets exactly one of parallel resets with one token succeed', async () => {
    const user = await registerUser(t.http());
    await forgot(user.email);
    const token = await linkTokenOf(t.db.url, user.email, 'password_reset');
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, index) => reset({ token, new_password: `a brand new passphrase ${index}` })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([204, 400, 400, 400, 400, 400]);
  });

  it('needs the second factor of an MFA account, keeps the link on a missing or wrong code, and keeps MFA on', async () => {
    const user = await registerUser(t.http());
    const { secret } = await enrol(t.http, user, clock);
    clock.nextStep();
    await forgot(user.email);
    const token = await linkTokenOf(t.db.url, user.email, 'password_reset');
    const missing = await reset({ token, new_password: 'a brand new passphrase' });
    expect(missing.status).toBe(401);
    expectErrorEnvelope(missing.body, 'MFA_REQUIRED');
    const wrong = await reset({ token, new_password: 'a brand new passphrase', mfa_code: '000000' });
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong.body, 'INVALID_MFA_CODE');
    expect((await reset({ token, new_password: 'a brand new passphrase', mfa_code: clock.code(secret) })).status).toBe(204);
    // The next login still asks for the second factor.
    expect(await passwordStep(t.http, user.email, 'a brand new passphrase')).toEqual(expect.any(String));
  });

  it('clears the login lockout of the address', async () => {
    const locked = await startTestUserApi({ env: { LOGIN_LOCKOUT_THRESHOLD: '2' } });
    try {
      const user = await registerUser(locked.http());
      for (let i = 0; i < 2; i++)
        await locked.http().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password here' });
      expect((await locked.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(429);
      await forgot(user.email, locked);
      const token = await linkTokenOf(locked.db.url, user.email, 'password_reset');
      expect((await locked.http().post('/api/v1/auth/password/reset').send({ token, new_password: 'a brand new passphrase' })).status).toBe(
        204,
      );
      expect((await locked.http().post('/api/v1/auth/login').send({ email: user.email, password: 'a brand new passphrase' })).status).toBe(
        200,
      );
    } finally {
      await locked.stop();
    }
  });

  it('limits recovery requests per client IP (429) and reset mails per address (silently)', async () => {
    const limited = await startTestUserApi({
      env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_RECOVERY_REQUESTS: '5', RATE_LIMIT_MAIL_REQUESTS: '2' },
    });
    try {
      const user = await registerUser(limited.http());
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push((await forgot(user.email, limited)).status);
      expect(answers).toEqual([202, 202, 202, 202, 202, 429]);
      await limited.api.background.settled();
      expect(await queuedMails(limited.db.url, user.email, 'password_reset')).toHaveLength(2);
    } finally {
      await limited.stop();
    }
  });

  it('kills a reset link once the password is changed another way', async () => {
    const user = await registerUser(t.http());
    await forgot(user.email);
    const token = await linkTokenOf(t.db.url, user.email, 'password_reset');
    const changed = await t
      .http()
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ current_password: user.password, new_password: 'a brand new passphrase' });
    expect(changed.status).toBe(204);
    const late = await reset({ token, new_password: 'the attacker passphrase' });
    expect(late.status).toBe(400);
    expectErrorEnvelope(late.body, 'INVALID_OR_EXPIRED_TOKEN');
  });
});
