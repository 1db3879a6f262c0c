import path from 'node:path';
import { users } from '@pandora/data-access';
import type { Browser } from 'playwright-core';
import { bearer, logIn, registerUser } from '../support/fixtures';
import { noticeWithFreezeLink } from '../support/notices';
import { ARTIFACTS, launchChromium, openPage } from '../support/chromium';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The page a notice's freeze link opens, in a real headless Chromium: the GET changes nothing (a
 * mail scanner following the link freezes no one), the button freezes the account, the strict CSP
 * holds. A screenshot lands in test-artifacts/.
 */

let t: TestUserApi;
let browser: Browser;
beforeAll(async () => {
  t = await startTestUserApi();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the freeze page', () => {
  it('freezes nothing when opened, and freezes the account when its owner presses the button', async () => {
    const user = await registerUser(t.http());
    const { token } = await noticeWithFreezeLink(t.http, t.rows, user);
    const other = await logIn(t.http(), user.email, user.password);

    const response = await t.http().get(`/freeze-account?token=${token}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    expect(response.text).not.toContain(token);
    const { page, problems } = await openPage(browser, `${t.publicUrl}/freeze-account?token=${encodeURIComponent(token)}`);
    expect((await t.rows.one(users, { id: user.id })).frozenAt).toBeNull();
    expect((await t.http().get('/api/v1/users/me').set(bearer(other.accessToken))).status).toBe(200);

    await page.getByRole('button', { name: 'Freeze my account' }).click();
    await page.getByText('Your account is frozen').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'link-page-freeze-account.png') });
    expect((await t.rows.one(users, { id: user.id })).frozenAt).toBeInstanceOf(Date);
    const login = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(login.body.error?.code).toBe('ACCOUNT_FROZEN');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('says so when the link was already used', async () => {
    const user = await registerUser(t.http());
    const { token } = await noticeWithFreezeLink(t.http, t.rows, user);
    expect((await t.http().post('/api/v1/auth/account/freeze').send({ token })).status).toBe(204);

    const { page } = await openPage(browser, `${t.publicUrl}/freeze-account?token=${encodeURIComponent(token)}`);
    await page.getByRole('button', { name: 'Freeze my account' }).click();
    await page.getByText('ask for a new one').waitFor({ timeout: 10_000 });
    await page.close();
  });
});
