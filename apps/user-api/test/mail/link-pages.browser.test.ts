import path from 'node:path';
import type { Browser } from 'playwright-core';
import { registerUser } from '../support/fixtures';
import { linkTokenOf } from '../support/mailbox';
import { sql } from '../support/mfa';
import { ARTIFACTS, launchChromium, openPage } from '../support/chromium';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The pages the links in mails open, in a real headless Chromium: the GET changes nothing, the
 * button does the change, the strict CSP holds (no inline script runs, nothing is blocked).
 * Screenshots land in test-artifacts/.
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

describe('the link pages', () => {
  it('serve static HTML under a strict CSP, and a GET uses no token', async () => {
    const user = await registerUser(t.http());
    const token = await linkTokenOf(t.db.url, user.email, 'verify_email');
    for (const pagePath of ['/verify-email', '/reset-password', '/confirm-email']) {
      const response = await t.http().get(`${pagePath}?token=${token}`);
      expect(response.status).toBe(200);
      expect(response.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
      expect(response.headers['content-security-policy']).not.toMatch(/unsafe-inline/);
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cache-control']).toBe('no-store');
      // Every script has a src: nothing inline, and the token is never written into the page.
      expect(response.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(response.text).not.toContain(token);
    }
    expect(await sql(t.db.url, 'SELECT used_at FROM one_time_tokens WHERE user_id = $1', [user.id])).toEqual([{ used_at: null }]);
  });

  it('verify-email: pressing the button verifies the address and takes the token out of the address bar', async () => {
    const user = await registerUser(t.http());
    const token = await linkTokenOf(t.db.url, user.email, 'verify_email');
    const { page, problems } = await openPage(browser, `${t.publicUrl}/verify-email?token=${encodeURIComponent(token)}`);
    expect(page.url()).toBe(`${t.publicUrl}/verify-email`);
    expect(await sql(t.db.url, 'SELECT email_verified_at FROM users WHERE id = $1', [user.id])).toEqual([{ email_verified_at: null }]);

    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await page.getByText('your email address is confirmed').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'link-page-verify-email.png') });
    expect(await sql(t.db.url, 'SELECT email_verified_at IS NOT NULL AS verified FROM users WHERE id = $1', [user.id])).toEqual([
      { verified: true },
    ]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('reset-password: a weak password shows the policy’s message and keeps the link, a good one logs in', async () => {
    const user = await registerUser(t.http());
    await t.http().post('/api/v1/auth/password/forgot').send({ email: user.email });
    const token = await linkTokenOf(t.db.url, user.email, 'password_reset');
    const { page, problems } = await openPage(browser, `${t.publicUrl}/reset-password?token=${encodeURIComponent(token)}`);

    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.locator('#link-status.error').waitFor({ timeout: 10_000 });
    expect(await page.locator('#link-status').textContent()).toMatch(/password/i);

    await page.getByLabel('New password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('Your password is changed').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'link-page-reset-password.png') });
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'a brand new passphrase' })).status).toBe(200);
    // The weak password's 422 is an expected answer of the API, not a page problem.
    expect(problems.filter((problem) => !/422/.test(problem))).toEqual([]);
    await page.close();
  });

  it('says so when the link is dead or incomplete', async () => {
    const dead = await openPage(browser, `${t.publicUrl}/confirm-email?token=${'A'.repeat(43)}`);
    await dead.page.getByRole('button', { name: 'Confirm my new address' }).click();
    await dead.page.getByText('ask for a new one').waitFor({ timeout: 10_000 });
    await dead.page.close();

    const incomplete = await openPage(browser, `${t.publicUrl}/verify-email`);
    expect(await incomplete.page.getByRole('button', { name: 'Confirm my email address' }).isDisabled()).toBe(true);
    expect(await incomplete.page.locator('#link-status').textContent()).toMatch(/incomplete/);
    await incomplete.page.close();
  });
});
