import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_ROOT } from '@pandora/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { registerUser } from '../support/fixtures';
import { linkTokenOf } from '../support/mailbox';
import { sql } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The pages the links in mails open, in a real headless Chromium: the GET changes nothing, the
 * button does the change, the strict CSP holds (no inline script runs, nothing is blocked).
 * Screenshots land in test-artifacts/.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const executablePath = CANDIDATES.find((candidate): candidate is string => !!candidate && fs.existsSync(candidate));
const artifacts = path.join(WORKSPACE_ROOT, 'test-artifacts');

let t: TestUserApi;
let browser: Browser;
beforeAll(async () => {
  if (!executablePath) throw new Error('No Chromium found: `npm run provision` installs Debian chromium (or set CHROMIUM_PATH).');
  t = await startTestUserApi();
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  fs.mkdirSync(artifacts, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** A page that records every script error, failed request and CSP violation. */
async function openPage(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(message.text());
  });
  page.on('requestfailed', (request) => problems.push(`${request.url()} ${request.failure()?.errorText}`));
  await page.goto(url, { waitUntil: 'networkidle' });
  return { page, problems };
}

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
    const { page, problems } = await openPage(`${t.publicUrl}/verify-email?token=${encodeURIComponent(token)}`);
    expect(page.url()).toBe(`${t.publicUrl}/verify-email`);
    expect(await sql(t.db.url, 'SELECT email_verified_at FROM users WHERE id = $1', [user.id])).toEqual([{ email_verified_at: null }]);

    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await page.getByText('your email address is confirmed').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(artifacts, 'link-page-verify-email.png') });
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
    const { page, problems } = await openPage(`${t.publicUrl}/reset-password?token=${encodeURIComponent(token)}`);

    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.locator('#link-status.error').waitFor({ timeout: 10_000 });
    expect(await page.locator('#link-status').textContent()).toMatch(/password/i);

    await page.getByLabel('New password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('Your password is changed').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(artifacts, 'link-page-reset-password.png') });
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'a brand new passphrase' })).status).toBe(200);
    // The weak password's 422 is an expected answer of the API, not a page problem.
    expect(problems.filter((problem) => !/422/.test(problem))).toEqual([]);
    await page.close();
  });

  it('says so when the link is dead or incomplete', async () => {
    const dead = await openPage(`${t.publicUrl}/confirm-email?token=${'A'.repeat(43)}`);
    await dead.page.getByRole('button', { name: 'Confirm my new address' }).click();
    await dead.page.getByText('ask for a new one').waitFor({ timeout: 10_000 });
    await dead.page.close();

    const incomplete = await openPage(`${t.publicUrl}/verify-email`);
    expect(await incomplete.page.getByRole('button', { name: 'Confirm my email address' }).isDisabled()).toBe(true);
    expect(await incomplete.page.locator('#link-status').textContent()).toMatch(/incomplete/);
    await incomplete.page.close();
  });
});
