/**
 * `npm run docs:mail-screenshots`: renders every mail template with sample data — exactly as the
 * courier renders it — and photographs its HTML part in headless Chromium into docs/images/mail/,
 * for the README's "What your users receive". Needs Debian's chromium (or CHROMIUM_PATH).
 */
import fs from 'node:fs';
import path from 'node:path';
import { MAIL_TEMPLATES, type MailData, type MailTemplate } from '@pandora/domain';
import { renderMail } from '@pandora/mail';
import { launchHeadlessChromium } from '@pandora/testing/chromium';

const root = path.resolve(__dirname, '../..');
const outDir = path.join(root, 'docs/images/mail');

const NOTICE: MailData = {
  first_name: 'Ada',
  at: '2026-12-03T07:42:10.000Z',
  ip_address: '198.51.100.23',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  anti_phishing_code: 'Orchid42',
};

/** What each template's message data holds in production (values invented). */
const SAMPLES: Record<MailTemplate, { recipient: string; data: MailData }> = {
  verify_email: { recipient: 'ada@example.com', data: { first_name: 'Ada' } },
  password_reset: { recipient: 'ada@example.com', data: { first_name: 'Ada', anti_phishing_code: 'Orchid42' } },
  email_change_confirm: { recipient: 'ada@new.example', data: { first_name: 'Ada', anti_phishing_code: 'Orchid42' } },
  email_change_notice: { recipient: 'ada@example.com', data: { ...NOTICE, new_email: 'ada@new.example' } },
  password_changed: { recipient: 'ada@example.com', data: { ...NOTICE, how: 'change' } },
  mfa_enabled: { recipient: 'ada@example.com', data: NOTICE },
  mfa_disabled: { recipient: 'ada@example.com', data: { ...NOTICE, by: 'user' } },
  new_device_login: { recipient: 'ada@example.com', data: NOTICE },
};

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await launchHeadlessChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 680, height: 600 }, javaScriptEnabled: false });
    for (const template of MAIL_TEMPLATES) {
      const sample = SAMPLES[template];
      const rendered = renderMail(
        { template, recipient: sample.recipient, data: sample.data, linkToken: 'EXAMPLE-TOKEN' },
        { publicWebUrl: 'https://exchange.example' },
      );
      await page.setContent(rendered.html, { waitUntil: 'load' });
      const file = path.join(outDir, `${template}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`wrote ${path.relative(root, file)} (${rendered.subject})`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
