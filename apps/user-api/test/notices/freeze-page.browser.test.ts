import fs from 'node:fs';
import path from 'node:path';
import { users } from '@pandora/data-access';
import { WORKSPACE_ROOT } from '@pandora/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bearer, logIn, registerUser } from '../support/fixtures';
import { noticeWithFreezeLink } from '../support/notices';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The page a notice's freeze link opens, in a real headless Chromium: the GET changes nothing (a
 * mail scanner following the link freezes no one), the button freezes the account, the strict CSP
 * holds. A screenshot lands in test-artifacts/.
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

describe('the freeze page', () => {
  it('freezes nothing when opened, and freezes the account when its owner presses the button', async () => {
    const user = await registerUser(t.http());
    const { token } = await noticeWithFreezeLink(t.http, t.rows, user);
    const other = await logIn(t.http(), user.email, user.password);

    const response = await t.http().get(`/freeze-account?token=${token}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    expect(response.text).not.toContain(token);
    const { page, problems } = await openPage(`${t.publicUrl}/freeze-account?token=${encodeURIComponent(token)}`);
    expect((await t.rows.one(users, { id: user.id })).frozenAt).toBeNull();
    expect((await t.http().get('/api/v1/users/me').set(bearer(other.accessToken))).status).toBe(200);

    await page.getByRole('button', { name: 'Freeze my account' }).click();
    await page.getByText('Your account is frozen').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(artifacts, 'link-page-freeze-account.png') });
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

    const { page } = await openPage(`${t.publicUrl}/freeze-account?token=${encodeURIComponent(token)}`);
    await page.getByRole('button', { name: 'Freeze my account' }).click();
    await page.getByText('ask for a new one').waitFor({ timeout: 10_000 });
    await page.close();
  });
});
