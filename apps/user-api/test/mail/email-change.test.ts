import { bearer, expectErrorEnvelope, registerUser, uniqueEmail } from '../support/fixtures';
import { linkTokenOf, queuedMails } from '../support/mailbox';
import { enrol, sql, StepClock } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

let t: TestUserApi;
const clock = new StepClock();

beforeAll(async () => {
  t = await startTestUserApi({ clock });
});
afterAll(() => t.stop());

const requestChange = (accessToken: string, body: Record<string, unknown>) =>
  t.http().post('/api/v1/users/me/email').set(bearer(accessToken)).send(body);
const confirm = (token: string) => t.http().post('/api/v1/auth/email/confirm').send({ token });

describe('email change', () => {
  it('answers 401 INVALID_CREDENTIALS for a wrong password and queues nothing', async () => {
    const user = await registerUser(t.http());
    const newEmail = uniqueEmail('moved');
    const response = await requestChange(user.accessToken, { new_email: newEmail, password: 'not the password at all' });
    expect(response.status).toBe(401);
    expectErrorEnvelope(response.body, 'INVALID_CREDENTIALS');
    expect(await queuedMails(t.db.url, newEmail)).toEqual([]);
  });

  it('answers 409 USER_ALREADY_EXISTS for an address an active account holds, at the request and at the confirmation', async () => {
    const user = await registerUser(t.http());
    const other = await registerUser(t.http());
    const taken = await requestChange(user.accessToken, { new_email: other.email.toUpperCase(), password: user.password });
    expect(taken.status).toBe(409);
    expectErrorEnvelope(taken.body, 'USER_ALREADY_EXISTS');

    const contested = uniqueEmail('contested');
    expect((await requestChange(user.accessToken, { new_email: contested, password: user.password })).status).toBe(202);
    const token = await linkTokenOf(t.db.url, contested, 'email_change_confirm');
    await registerUser(t.http(), { email: contested });
    const late = await confirm(token);
    expect(late.status).toBe(409);
    expectErrorEnvelope(late.body, 'USER_ALREADY_EXISTS');
    expect(await sql(t.db.url, 'SELECT email FROM users WHERE id = $1', [user.id])).toEqual([{ email: user.email }]);
  });

  it('queues the confirmation to the new address and the notice to the current one; confirming changes the login', async () => {
    const user = await registerUser(t.http());
    const newEmail = uniqueEmail('moved');
    const response = await requestChange(user.accessToken, { new_email: newEmail, password: user.password });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({});
    expect(await queuedMails(t.db.url, user.email, 'email_change_notice')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ new_email: newEmail }) }),
    ]);
    const token = await linkTokenOf(t.db.url, newEmail, 'email_change_confirm');
    expect((await t.http().post('/api/v1/auth/login').send({ email: newEmail, password: user.password })).status).toBe(401);

    expect((await confirm(token)).status).toBe(204);
    const me = await t.http().get('/api/v1/users/me').set(bearer(user.accessToken));
    expect(me.body).toMatchObject({ email: newEmail, email_verified: true });
    expect((await t.http().post('/api/v1/auth/login').send({ email: newEmail, password: user.password })).status).toBe(200);
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
    const reused = await confirm(token);
    expect(reused.status).toBe(400);
    expectErrorEnvelope(reused.body, 'INVALID_OR_EXPIRED_TOKEN');
  });

  it('kills the verification link sent to the old address once the address changed', async () => {
    const user = await registerUser(t.http());
    const verification = await linkTokenOf(t.db.url, user.email, 'verify_email');
    const newEmail = uniqueEmail('moved');
    await requestChange(user.accessToken, { new_email: newEmail, password: user.password });
    expect((await confirm(await linkTokenOf(t.db.url, newEmail, 'email_change_confirm'))).status).toBe(204);
    const stale = await t.http().post('/api/v1/auth/email/verify').send({ token: verification });
    expect(stale.status).toBe(400);
    expectErrorEnvelope(stale.body, 'INVALID_OR_EXPIRED_TOKEN');
  });

  it('needs mfa_code for an MFA account: 401 MFA_REQUIRED without it, INVALID_MFA_CODE when wrong', async () => {
    const user = await registerUser(t.http());
    const { secret } = await enrol(t.http, user, clock);
    clock.nextStep();
    const newEmail = uniqueEmail('moved');
    const missing = await requestChange(user.accessToken, { new_email: newEmail, password: user.password });
    expect(missing.status).toBe(401);
    expectErrorEnvelope(missing.body, 'MFA_REQUIRED');
    const wrong = await requestChange(user.accessToken, { new_email: newEmail, password: user.password, mfa_code: '000000' });
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong.body, 'INVALID_MFA_CODE');
    expect(await queuedMails(t.db.url, newEmail)).toEqual([]);
    const right = await requestChange(user.accessToken, { new_email: newEmail, password: user.password, mfa_code: clock.code(secret) });
    expect(right.status).toBe(202);
  });
});
