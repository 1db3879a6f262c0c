import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_ROOT } from '@pandora/testing';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, for every browser test of user-api (Swagger UI, the
 * link pages, the freeze page, the admin console). `npm test` installs it through
 * tools/scripts/provision.sh; CHROMIUM_PATH points elsewhere.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Where the browser tests leave their screenshots for a human to look at. */
export const ARTIFACTS = path.join(WORKSPACE_ROOT, 'test-artifacts');

export async function launchChromium(): Promise<Browser> {
  const executablePath = CANDIDATES.find((candidate): candidate is string => !!candidate && fs.existsSync(candidate));
  if (!executablePath) throw new Error('No Chromium found: `npm run provision` installs Debian chromium (or set CHROMIUM_PATH).');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    // Without the background-networking flags Chromium keeps dialling Google's hosts, which this
    // network refuses.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A page at `url` that records every script error, console error, failed request and CSP violation. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
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
