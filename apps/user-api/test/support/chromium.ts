import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_ROOT } from '@pandora/testing';
import { launchHeadlessChromium } from '@pandora/testing/chromium';
import type { Browser, Page } from 'playwright-core';

/** Where the browser tests leave their screenshots for a human to look at. */
export const ARTIFACTS = path.join(WORKSPACE_ROOT, 'test-artifacts');

/**
 * The Chromium of every browser test of user-api (Swagger UI, the link pages, the freeze page, the
 * admin console), with the folder for their screenshots made.
 */
export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return launchHeadlessChromium();
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
