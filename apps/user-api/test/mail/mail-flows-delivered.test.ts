import { eventually, linkInMail } from '@pandora/testing';
import { bearer, expectErrorEnvelope, registerUser, uniqueEmail } from '../support/fixtures';
import { startMailDelivery, type MailDelivery } from '../support/courier';
import { sql } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The flows end to end with real mail: user-api queues, event-relay's courier delivers over SMTP to
 * a test server, and the test follows the links in the mails it received, as a person would.
 */
let t: TestUserApi;
let delivery: MailDelivery;

beforeAll(async () => {
  t = await startTestUserApi();
  delivery = await startMailDelivery(t);
}, 120_000);
afterAll(async () => {
  await delivery?.stop();
  await t?.stop();
});

/** The link's path and query on the public listener (the mail's origin is PUBLIC_WEB_URL, the test's listener). */
const onListener = (url: string) => url.slice(t.publicUrl.length);

describe('mail flows with real mail', () => {
  it('register → verification mail → its page changes nothing → the button verifies the address', async () => {
    const user = await registerUser(t.http());
    const mail = await delivery.smtp.waitForMail(user.email);
    const link = linkInMail(mail, '/verify-email');
    expect(link.url.startsWith(`${t.publicUrl}/verify-email?token=`)).toBe(true);

    // A link scanner opening the page twice uses nothing.
    for (let i = 0; i < 2; i++) {
      const page = await t.http().get(onListener(link.url));
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
    }
    expect(await sql(t.db.url, 'SELECT email_verified_at FROM users WHERE id = $1', [user.id])).toEqual([{ email_verified_at: null }]);
    expect(
      await sql(t.db.url, "SELECT used_at FROM one_time_tokens WHERE user_id = $1 AND kind = 'email_verification'", [user.id]),
    ).toEqual([{ used_at: null }]);

    expect((await t.http().post('/api/v1/auth/email/verify').send({ token: link.token })).status).toBe(204);
    const me = await t.http().get('/api/v1/users/me').set(bearer(user.accessToken));
    expect(me.body).toMatchObject({ email_verified: true });
    // The courier scrubbed the token from the delivered message.
    await eventually(async () => {
      const rows = await sql(t.db.url, "SELECT status, link_token FROM mail_messages WHERE recipient = $1 AND template = 'verify_email'", [
        user.email,
      ]);
      return rows[0]?.status === 'sent' && rows[0]?.link_token === null;
    }, 'the delivered verification mail to be scrubbed');
  });

  it('recovery: no mail for an unknown address; the reset link sets a password, ends every session and sends a notice', async () => {
    const stranger = uniqueEmail('nobody');
    expect((await t.http().post('/api/v1/auth/password/forgot').send({ email: stranger })).status).toBe(202);
    const user = await registerUser(t.http());
    await delivery.smtp.waitForMail(user.email);
    const forgot = await t.http().post('/api/v1/auth/password/forgot').send({ email: user.email });
    expect(forgot.status).toBe(202);
    expect(forgot.body).toEqual({});

    const resetMail = await delivery.smtp.waitForMail(user.email, { count: 2 });
    const { token } = linkInMail(resetMail, '/reset-password');
    await t.api.background.settled();
    expect(await sql(t.db.url, 'SELECT count(*)::int AS n FROM mail_messages WHERE recipient = $1', [stranger])).toEqual([{ n: 0 }]);

    const weak = await t.http().post('/api/v1/auth/password/reset').send({ token, new_password: 'short' });
    expect(weak.status).toBe(422);
    expectErrorEnvelope(weak.body, 'WEAK_PASSWORD');
    const reset = await t.http().post('/api/v1/auth/password/reset').send({ token, new_password: 'a brand new passphrase' });
    expect(reset.status).toBe(204);

    // Access tokens of the old sessions are refused within a second, the old refresh token is dead.
    await eventually(
      async () => (await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).status === 401,
      'the old access token to be refused',
      1_000,
    );
    expect((await t.http().post('/api/v1/auth/refresh').send({ refresh_token: user.refreshToken })).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'a brand new passphrase' })).status).toBe(200);
    const used = await t.http().post('/api/v1/auth/password/reset').send({ token, new_password: 'yet another passphrase' });
    expect(used.status).toBe(400);
    expectErrorEnvelope(used.body, 'INVALID_OR_EXPIRED_TOKEN');

    const notice = await delivery.smtp.waitForMail(user.email, { count: 3 });
    expect(notice.subject).toBe('Your password was changed');
    expect(notice.text).toMatch(/reset with a recovery link/);
  });

  it('email change: confirmation to the new address, notice to the old, and the new address logs in only once confirmed', async () => {
    const user = await registerUser(t.http());
    await delivery.smtp.waitForMail(user.email);
    const newEmail = uniqueEmail('moved');
    const requested = await t
      .http()
      .post('/api/v1/users/me/email')
      .set(bearer(user.accessToken))
      .send({ new_email: newEmail, password: user.password });
    expect(requested.status).toBe(202);

    const confirmation = await delivery.smtp.waitForMail(newEmail);
    const notice = await delivery.smtp.waitForMail(user.email, { count: 2 });
    expect(notice.subject).toBe('A change of your email address was requested');
    expect(notice.text).toContain(newEmail);
    expect((await t.http().post('/api/v1/auth/login').send({ email: newEmail, password: user.password })).status).toBe(401);

    const { url, token } = linkInMail(confirmation, '/confirm-email');
    expect((await t.http().get(onListener(url))).status).toBe(200);
    expect((await t.http().post('/api/v1/auth/email/confirm').send({ token })).status).toBe(204);
    expect((await t.http().post('/api/v1/auth/login').send({ email: newEmail, password: user.password })).status).toBe(200);
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
    expect(
      await sql(t.db.url, "SELECT payload FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'user.email.changed'", [user.id]),
    ).toEqual([{ payload: { email: newEmail, old_email: user.email } }]);
  });
});
