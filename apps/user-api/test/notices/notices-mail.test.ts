import { mailMessages } from '@pandora/data-access';
import { MAIL_TEMPLATES } from '@pandora/domain';
import { eventually, linkInMail, stepAt, totpForStep, type ReceivedMail } from '@pandora/testing';
import type request from 'supertest';
import { bearer, createAdmin, logIn, registerUser, type AdminSession, type RegisteredUser } from '../support/fixtures';
import { startMailDelivery, type MailDelivery } from '../support/courier';
import { enrol, passwordStep, StepClock } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The security notices as their owner receives them: user-api and the courier (event-relay, its own
 * process) on one database, and a real SMTP server. Each notice arrives once for its trigger, with
 * the request's facts, the freeze link (which works) and the anti-phishing code. Devices are told
 * apart by the User-Agent and X-Forwarded-For headers (user-api trusts the loopback proxy here).
 * The clock is the real one (the courier sends what is due by real time): second factors after the
 * enrolment code are recovery codes, so that no test waits for the next TOTP step.
 */
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const CHROME_WINDOWS_UPDATED =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

interface Device {
  userAgent: string;
  ip: string;
}
const HOME: Device = { userAgent: CHROME_WINDOWS, ip: '198.51.100.20' };

let t: TestUserApi;
let courier: MailDelivery;
let admin: AdminSession;

/** TOTP codes of the real current step: enough for the one code an enrolment needs. */
class RealTimeCodes extends StepClock {
  override code(secret: string, offset = 0): string {
    return totpForStep(secret, stepAt(Date.now()) + offset);
  }
}
const clock = new RealTimeCodes();

beforeAll(async () => {
  t = await startTestUserApi({ env: { TRUST_PROXY: 'loopback' } });
  admin = await createAdmin(t);
  courier = await startMailDelivery(t);
}, 60_000);
afterAll(async () => {
  await courier?.stop();
  await t?.stop();
});

jest.setTimeout(60_000);

/** The public API as seen from `device`. */
const from = (device: Device) => (): request.Agent => t.http().set('User-Agent', device.userAgent).set('X-Forwarded-For', device.ip);

/**
 * Every mail queued for the user so far has been delivered: what the SMTP server holds is all there
 * is. In the order they were queued (the courier sends a batch in parallel, so arrival order is not
 * it): a mail's Message-ID carries its queue row's id.
 */
async function delivered(user: { id: string; email: string }): Promise<ReceivedMail[]> {
  const rows = await eventually(async () => {
    const current = await t.rows.find(mailMessages, { userId: user.id }, { orderBy: 'createdAt' });
    return current.every((row) => row.status === 'sent') && current;
  }, `every mail to ${user.email} delivered`);
  const position = (mail: ReceivedMail) => rows.findIndex((row) => mail.messageId.startsWith(`<${row.id}@`));
  return courier.smtp.mailsTo(user.email).sort((a, b) => position(a) - position(b));
}

/**
 * The subjects of `mails`, sorted: the courier sends a batch concurrently, so mails queued together
 * may arrive in any order — each test asserts which notices came, not their order.
 */
const subjects = (mails: ReceivedMail[]): string[] => mails.map((mail) => mail.subject).sort();

/** The security notices among them: the mails with a freeze link. */
async function noticesTo(user: { id: string; email: string }): Promise<ReceivedMail[]> {
  return (await delivered(user)).filter((mail) => mail.text.includes('/freeze-account?token='));
}

async function logInFrom(device: Device, user: RegisteredUser): Promise<void> {
  const answer = await from(device)().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
  expect(answer.status).toBe(200);
}

describe('the new-device notice', () => {
  it('is not sent for logging in again where the account was registered, even after a browser update', async () => {
    const user = await registerUser(from(HOME)());
    await logInFrom(HOME, user);
    await logInFrom({ userAgent: CHROME_WINDOWS_UPDATED, ip: '198.51.100.77' }, user);
    expect(await noticesTo(user)).toEqual([]);
  });

  it('is sent once for a new browser and once for a new /24, saying when, from where and with what', async () => {
    const user = await registerUser(from(HOME)());
    const firefox = { userAgent: FIREFOX_LINUX, ip: '198.51.100.20' };
    await logInFrom(firefox, user);
    await logInFrom(firefox, user);
    await logInFrom({ userAgent: CHROME_WINDOWS, ip: '203.0.113.5' }, user);

    const notices = await noticesTo(user);
    expect(subjects(notices)).toEqual(['New sign-in to your account', 'New sign-in to your account']);
    const first = notices.find((mail) => mail.text.includes('IP address: 198.51.100.20')) as ReceivedMail;
    const second = notices.find((mail) => mail !== first) as ReceivedMail;
    expect(first.text).toContain('IP address: 198.51.100.20');
    expect(first.text).toContain(`Device: ${FIREFOX_LINUX}`);
    expect(first.text).toMatch(/When: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    expect(second.text).toContain('IP address: 203.0.113.5');
    expect(linkInMail(first, '/freeze-account').url).toMatch(new RegExp(`^${t.publicUrl}/freeze-account\\?token=`));
  });

  it('is sent when an MFA login completes from a new device', async () => {
    const user = await registerUser(from(HOME)());
    const { recoveryCodes } = await enrol(from(HOME), user, clock);
    const elsewhere = from({ userAgent: FIREFOX_LINUX, ip: '192.0.2.44' });
    const mfaToken = await passwordStep(elsewhere, user.email, user.password);
    expect((await elsewhere().post('/api/v1/auth/mfa/verify').send({ mfa_token: mfaToken, code: recoveryCodes[0] })).status).toBe(200);
    expect(subjects(await noticesTo(user))).toEqual(['New sign-in to your account', 'Two-step verification was turned on']);
  });
});

describe('the notices of security changes', () => {
  it('each arrive once for their trigger, with a freeze link of their own', async () => {
    const user = await registerUser(from(HOME)());
    const newPassword = `${user.password} anew`;
    expect(
      (
        await from(HOME)()
          .post('/api/v1/users/me/password')
          .set(bearer(user.accessToken))
          .send({ current_password: user.password, new_password: newPassword })
      ).status,
    ).toBe(204);
    user.password = newPassword;
    const { recoveryCodes } = await enrol(from(HOME), user, clock);
    const disabled = await from(HOME)()
      .delete('/api/v1/users/me/mfa')
      .set(bearer(user.accessToken))
      .send({ password: user.password, code: recoveryCodes[0] });
    expect(disabled.status).toBe(204);

    const notices = await noticesTo(user);
    expect(subjects(notices)).toEqual([
      'Two-step verification was turned off',
      'Two-step verification was turned on',
      'Your password was changed',
    ]);
    const tokens = notices.map((mail) => linkInMail(mail, '/freeze-account').token);
    expect(new Set(tokens).size).toBe(notices.length);
  });

  it('arrive once for a password reset and for a requested email change (to the old address), with their freeze links', async () => {
    const user = await registerUser(from(HOME)());
    expect((await t.http().post('/api/v1/auth/password/forgot').send({ email: user.email })).status).toBe(202);
    const resetMail = await eventually(
      () => courier.smtp.mailsTo(user.email).find((mail) => mail.subject === 'Reset your password'),
      'the reset mail',
    );
    const { token } = linkInMail(resetMail, '/reset-password');
    const reset = await t
      .http()
      .post('/api/v1/auth/password/reset')
      .send({ token, new_password: `${user.password} anew` });
    expect(reset.status).toBe(204);
    user.password = `${user.password} anew`;
    const login = await logIn(from(HOME)(), user.email, user.password);
    const newAddress = `new.${user.email}`;
    const change = await from(HOME)()
      .post('/api/v1/users/me/email')
      .set(bearer(login.accessToken))
      .send({ new_email: newAddress, password: user.password });
    expect(change.status).toBe(202);

    const notices = await noticesTo(user);
    expect(notices.map((mail) => mail.subject)).toEqual(['Your password was changed', 'A change of your email address was requested']);
    expect(notices[0]?.text).toContain('reset with a recovery link');
    expect(notices[1]?.text).toContain(newAddress);
    for (const notice of notices) expect(linkInMail(notice, '/freeze-account').token).toEqual(expect.any(String));
    expect(courier.smtp.mailsTo(newAddress).map((mail) => mail.subject)).toEqual(['Confirm your new email address']);
  });

  it('tells the owner when support turned their second factor off', async () => {
    const user = await registerUser(from(HOME)());
    await enrol(from(HOME), user, clock);
    expect((await t.admin().delete(`/api/v1/admin/users/${user.id}/mfa`).set(bearer(admin.accessToken))).status).toBe(204);

    const notices = await noticesTo(user);
    expect(subjects(notices)).toEqual(['Two-step verification was turned off', 'Two-step verification was turned on']);
    const off = notices.find((mail) => mail.subject === 'Two-step verification was turned off') as ReceivedMail;
    expect(off.text).toContain('Our support team turned off two-step verification');
    expect(linkInMail(off, '/freeze-account').token).toEqual(expect.any(String));
  });

  it('carry a freeze link that works from the mail: the account is frozen and its sessions end', async () => {
    const user = await registerUser(from(HOME)());
    await from(HOME)()
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ current_password: user.password, new_password: `${user.password} anew` });
    const [notice] = await noticesTo(user);
    const { token } = linkInMail(notice as ReceivedMail, '/freeze-account');

    expect((await t.http().post('/api/v1/auth/account/freeze').send({ token })).status).toBe(204);
    const login = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: `${user.password} anew` });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('ACCOUNT_FROZEN');
    // The delivered messages (the verification mail and the notice) no longer hold their tokens: the courier scrubbed them.
    expect((await t.rows.find(mailMessages, { userId: user.id })).every((row) => row.linkToken === null)).toBe(true);
  });
});

describe('the anti-phishing code', () => {
  it('appears verbatim in the text and the HTML of every mail after it is set, and not after it is removed', async () => {
    const user = await registerUser(from(HOME)());
    expect(
      (await t.http().put('/api/v1/users/me/anti-phishing-code').set(bearer(user.accessToken)).send({ code: 'Orchid42' })).status,
    ).toBe(204);
    await logInFrom({ userAgent: FIREFOX_LINUX, ip: '192.0.2.10' }, user);
    const { recoveryCodes } = await enrol(from(HOME), user, clock);

    const withCode = await noticesTo(user);
    expect(withCode).toHaveLength(2);
    for (const mail of withCode) {
      expect(mail.text).toContain('Orchid42');
      expect(mail.html).toContain('Orchid42');
    }

    expect((await t.http().delete('/api/v1/users/me/anti-phishing-code').set(bearer(user.accessToken))).status).toBe(204);
    const disabled = await from(HOME)()
      .delete('/api/v1/users/me/mfa')
      .set(bearer(user.accessToken))
      .send({ password: user.password, code: recoveryCodes[0] });
    expect(disabled.status).toBe(204);
    const last = (await noticesTo(user)).at(-1);
    expect(last?.subject).toBe('Two-step verification was turned off');
    expect(last?.text).not.toContain('Orchid42');
    expect(last?.html).not.toContain('Orchid42');
  });

  it('is in the text and the HTML of every template, whichever flow sent it', async () => {
    const user = await registerUser(from(HOME)());
    const auth = bearer(user.accessToken);
    expect((await t.http().put('/api/v1/users/me/anti-phishing-code').set(auth).send({ code: 'Orchid42' })).status).toBe(204);

    expect((await from(HOME)().post('/api/v1/users/me/email/verification').set(auth)).status).toBe(202);
    await logInFrom({ userAgent: FIREFOX_LINUX, ip: '192.0.2.77' }, user);
    const newPassword = `${user.password} anew`;
    const changed = await from(HOME)()
      .post('/api/v1/users/me/password')
      .set(auth)
      .send({ current_password: user.password, new_password: newPassword });
    expect(changed.status).toBe(204);
    user.password = newPassword;
    const { recoveryCodes } = await enrol(from(HOME), user, clock);
    const disabled = await from(HOME)().delete('/api/v1/users/me/mfa').set(auth).send({ password: user.password, code: recoveryCodes[0] });
    expect(disabled.status).toBe(204);
    expect((await t.http().post('/api/v1/auth/password/forgot').send({ email: user.email })).status).toBe(202);
    // The recovery request is handled after its answer: wait until its mail is queued.
    await eventually(
      async () => (await t.rows.find(mailMessages, { userId: user.id })).some((row) => row.template === 'password_reset'),
      'the reset mail queued',
    );
    const newAddress = `new.${user.email}`;
    const change = await from(HOME)().post('/api/v1/users/me/email').set(auth).send({ new_email: newAddress, password: user.password });
    expect(change.status).toBe(202);

    await delivered(user);
    const mails = [...courier.smtp.mailsTo(user.email), ...courier.smtp.mailsTo(newAddress)];
    const templates = (await t.rows.find(mailMessages, { userId: user.id })).map((row) => row.template);
    expect([...new Set(templates)].sort()).toEqual([...MAIL_TEMPLATES].sort());
    const withCode = mails.filter((mail) => mail.text.includes('Orchid42') && mail.html.includes('Orchid42'));
    // Every mail but the verification queued at registration, before the code was set.
    expect(withCode).toHaveLength(mails.length - 1);
    expect(new Set(withCode.map((mail) => mail.subject)).size).toBe(MAIL_TEMPLATES.length);
  });

  it('is refused with 400 when it holds markup or anything but 4 to 20 letters and digits', async () => {
    const user = await registerUser(t.http());
    for (const code of ['<b>hi</b>', '"><script>', 'abc', 'x'.repeat(21), 'two words', 'Ünïcode1', '', 42]) {
      const answer = await t.http().put('/api/v1/users/me/anti-phishing-code').set(bearer(user.accessToken)).send({ code });
      expect({ code, status: answer.status, error: answer.body.error?.code }).toEqual({ code, status: 400, error: 'INVALID_INPUT' });
    }
  });
});
