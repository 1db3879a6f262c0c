import { OffsetClock } from '@pandora/testing';
import { bearer, expectErrorEnvelope, registerUser } from '../support/fixtures';
import { linkTokenOf, queuedMails } from '../support/mailbox';
import { sql } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

let t: TestUserApi;
const clock = new OffsetClock();

beforeAll(async () => {
  t = await startTestUserApi({ clock, env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_MAIL_REQUESTS: '3' } });
});
afterAll(() => t.stop());

const verify = (token: unknown) => t.http().post('/api/v1/auth/email/verify').send({ token });
const me = async (accessToken: string) => (await t.http().get('/api/v1/users/me').set(bearer(accessToken))).body as Record<string, unknown>;

describe('email verification', () => {
  it('queues a verify_email mail at registration whose link verifies the address, with an event and an audit row', async () => {
    const user = await registerUser(t.http());
    expect(await me(user.accessToken)).toMatchObject({ email_verified: false });
    const [mail] = await queuedMails(t.db.url, user.email, 'verify_email');
    expect(mail).toMatchObject({ user_id: user.id, data: expect.objectContaining({ first_name: 'Ada' }) });
    // The database keeps only the hash of the token the mail carries.
    expect(await sql(t.db.url, 'SELECT 1 FROM one_time_tokens WHERE token_hash = $1', [mail?.link_token])).toEqual([]);

    const response = await verify(mail?.link_token);
    expect(response.status).toBe(204);
    expect(await me(user.accessToken)).toMatchObject({ email_verified: true });
    expect(
      await sql(t.db.url, "SELECT payload FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'user.email.verified'", [user.id]),
    ).toEqual([{ payload: { email: user.email } }]);
    expect(
      await sql(t.db.url, "SELECT status FROM audit_logs WHERE user_id = $1 AND event_type = 'user.email.verified'", [user.id]),
    ).toEqual([{ status: 'success' }]);
  });

  it('answers 400 INVALID_OR_EXPIRED_TOKEN for a used, a garbage, an unknown and an expired token', async () => {
    const user = await registerUser(t.http());
    const token = await linkTokenOf(t.db.url, user.email, 'verify_email');
    expect((await verify(token)).status).toBe(204);
    for (const dead of [token, 'garbage', 'A'.repeat(43), '']) {
      const response = await verify(dead);
      expect(response.status).toBe(400);
      expectErrorEnvelope(response.body, dead === '' ? 'INVALID_INPUT' : 'INVALID_OR_EXPIRED_TOKEN');
    }
    const later = await registerUser(t.http());
    const expiring = await linkTokenOf(t.db.url, later.email, 'verify_email');
    clock.advance(24 * 3_600_000 + 1_000);
    const expired = await verify(expiring);
    expect(expired.status).toBe(400);
    expectErrorEnvelope(expired.body, 'INVALID_OR_EXPIRED_TOKEN');
    expect(await sql(t.db.url, 'SELECT email_verified_at FROM users WHERE id = $1', [later.id])).toEqual([{ email_verified_at: null }]);
  });

  it('sends a new mail on request whose link supersedes the older one', async () => {
    const user = await registerUser(t.http());
    const first = await linkTokenOf(t.db.url, user.email, 'verify_email');
    const resend = await t.http().post('/api/v1/users/me/email/verification').set(bearer(user.accessToken));
    expect(resend.status).toBe(202);
    expect(resend.body).toEqual({});
    const second = await linkTokenOf(t.db.url, user.email, 'verify_email', 2);
    expect(second).not.toBe(first);
    expect((await verify(first)).status).toBe(400);
    expect((await verify(second)).status).toBe(204);
    const again = await t.http().post('/api/v1/users/me/email/verification').set(bearer(user.accessToken));
    expect(again.status).toBe(409);
    expectErrorEnvelope(again.body, 'EMAIL_ALREADY_VERIFIED');
  });

  it('allows three verification mails per hour per account, the registration’s included, then 429', async () => {
    const user = await registerUser(t.http());
    const resend = () => t.http().post('/api/v1/users/me/email/verification').set(bearer(user.accessToken));
    expect((await resend()).status).toBe(202);
    expect((await resend()).status).toBe(202);
    const refused = await resend();
    expect(refused.status).toBe(429);
    expectErrorEnvelope(refused.body, 'RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await queuedMails(t.db.url, user.email, 'verify_email')).toHaveLength(3);
  });

  it('lets exactly one of many parallel uses of one token succeed', async () => {
    const user = await registerUser(t.http());
    const token = await linkTokenOf(t.db.url, user.email, 'verify_email');
    const answers = await Promise.all(Array.from({ length: 8 }, () => verify(token)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([204, 400, 400, 400, 400, 400, 400, 400]);
    expect(
      await sql(t.db.url, "SELECT count(*)::int AS n FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'user.email.verified'", [
        user.id,
      ]),
    ).toEqual([{ n: 1 }]);
  });
});
