import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, headless: for the browser tests and for the tools
 * that photograph pages (tools/scripts/mail-screenshots.ts). `npm run provision` installs it
 * (tools/scripts/provision.sh); CHROMIUM_PATH points elsewhere. Its own entry point,
 * `@pandora/testing/chromium`, so that neither the suites without a browser nor the tools load
 * playwright-core or the rest of the test harness for it.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export async function launchHeadlessChromium(): Promise<Browser> {
  const executablePath = CANDIDATES.find((candidate): candidate is string => !!candidate && fs.existsSync(candidate));
  if (!executablePath) throw new Error('No Chromium found: `npm run provision` installs Debian chromium (or set CHROMIUM_PATH).');
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
