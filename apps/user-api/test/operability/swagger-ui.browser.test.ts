import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/chromium';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The Swagger UI at /docs, rendered by a real headless Chromium (Debian's; `npm test` installs it through tools/scripts/provision.sh).
 * The screenshots land in test-artifacts/ for a human to look at.
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

describe('Swagger UI', () => {
  it('renders every public operation and expands POST /api/v1/auth/login', async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('requestfailed', (request) => failures.push(`${request.url()} ${request.failure()?.errorText}`));
    // Nothing the page asks for may be missing (a 404 for /favicon.ico used to be).
    page.on('response', (response) => {
      if (response.status() >= 400) failures.push(`${response.url()} ${response.status()}`);
    });
    await page.goto(`${t.publicUrl}/docs`, { waitUntil: 'networkidle' });

    const login = page.locator('.opblock-post', { has: page.locator('[data-path="/api/v1/auth/login"]') });
    await login.first().waitFor({ timeout: 20_000 });
    const operations = await page.locator('.opblock-summary-path').allTextContents();
    const documented = Object.keys(
      ((await (await fetch(`${t.publicUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> }).paths,
    );
    for (const route of documented) expect(operations.map((text) => text.replace(/\u200b/g, ''))).toContain(route);

    await login.first().locator('.opblock-summary').click();
    await page.locator('.opblock-post.is-open .opblock-body').first().waitFor({ timeout: 10_000 });
    const expanded = await page.locator('.opblock-post.is-open').first().innerText();
    expect(expanded).toContain('"password"');
    expect(expanded).toContain('"email"');
    expect(expanded).toContain('INVALID_CREDENTIALS');
    await page.screenshot({ path: path.join(ARTIFACTS, 'swagger-ui-public-login.png'), fullPage: true });
    expect(failures).toEqual([]);
  }, 60_000);

  it('renders the admin document on the admin port', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.adminUrl}/docs`, { waitUntil: 'networkidle' });
    await page.locator('[data-path="/api/v1/admin/users/{id}/kyc"]').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'swagger-ui-admin.png'), fullPage: true });
  }, 60_000);
});
