import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  buildAdminConsole,
  inPage,
  SCREENSHOTS,
  VIEWPORTS,
  watchProblems,
  type BuiltConsole,
  type PageProblems,
  type ViewportName,
} from '../support/admin-console';
import { launchChromium } from '../support/chromium';
import { bearer, type AdminSession } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * Every screen of the admin console, opened by its address in real Chromium at a desktop and a
 * phone size: the page loads, signs in, shows its data, and nothing goes wrong on the way — no
 * script error, no console error, no resource refused, no CSP violation. Each screen is saved to
 * test-artifacts/console/ for people to look at.
 */
let t: TestUserApi;
let built: BuiltConsole;
let browser: Browser;
let admin: AdminSession;
let subject: { id: string; email: string };

beforeAll(async () => {
  built = await buildAdminConsole();
  t = await startTestUserApi({ consoleDirectory: built.directory });
  // A small population with readable names, so that every screen (and its screenshot) shows
  // something real: the suite has a database of its own, so fixed addresses cannot collide.
  const email = 'ops@example.com';
  const password = 'an administrator passphrase';
  await t.api.useCases.bootstrapAdmin.execute({ email, firstName: 'Grace', lastName: 'Hopper', password: async () => password });
  const login = await t.admin().post('/api/v1/admin/auth/login').send({ email, password }).expect(200);
  admin = { id: login.body.user.id, email, password, accessToken: login.body.access_token, sessionId: '' };
  const people = [
    ['ada.lovelace@example.com', 'Ada', 'Lovelace'],
    ['charles.babbage@example.com', 'Charles', 'Babbage'],
    ['mary.somerville@example.com', 'Mary', 'Somerville'],
    ['alan.turing@example.com', 'Alan', 'Turing'],
  ];
  const registered: Array<{ id: string; email: string }> = [];
  for (const [address, first_name, last_name] of people) {
    const answer = await t
      .http()
      .post('/api/v1/auth/register')
      .set('User-Agent', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/17.5')
      .send({ email: address, password: 'correct horse battery staple', first_name, last_name })
      .expect(201);
    registered.push({ id: answer.body.user.id, email: answer.body.user.email });
  }
  subject = registered[0] as { id: string; email: string };
  const kyc = (body: object) => t.admin().patch(`/api/v1/admin/users/${subject.id}/kyc`).set(bearer(admin.accessToken)).send(body);
  await kyc({ kyc_status: 'rejected', reason: 'Passport photo unreadable' }).expect(200);
  await kyc({ kyc_status: 'pending' }).expect(200);
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  built?.remove();
});

interface Screen {
  name: string;
  path: () => string;
  /** What shows that the screen has its data. */
  ready: (page: Page) => Promise<void>;
  heading: string | (() => string);
}

const SCREENS: Screen[] = [
  {
    name: 'overview',
    path: () => '/console',
    heading: 'Overview',
    ready: (page) => page.locator('[data-stat="total_users"]').waitFor(),
  },
  {
    name: 'users',
    path: () => '/console/users?query=example.com',
    heading: 'Users',
    ready: (page) => page.locator('table.users tbody tr').first().waitFor(),
  },
  {
    name: 'user',
    path: () => `/console/users/${subject.id}`,
    heading: () => subject.email,
    ready: async (page) => {
      await page.locator('table.kyc-history tbody tr').first().waitFor();
      await page.locator('table.sessions tbody tr').first().waitFor();
      await page.locator('ul.activity li').first().waitFor();
    },
  },
  {
    name: 'kyc-queue',
    path: () => '/console/kyc',
    heading: 'KYC queue',
    ready: (page) => page.locator('.queue-item').first().waitFor(),
  },
  {
    name: 'audit-log',
    path: () => '/console/audit',
    heading: 'Audit log',
    ready: async (page) => {
      await page.locator('table.audit tbody tr').first().waitFor();
      // A row's details, opened: part of the screen.
      await page
        .locator('table.audit tbody tr')
        .filter({ hasText: 'user.kyc.updated' })
        .first()
        .getByRole('button', { name: 'Details' })
        .click();
      await page.locator('tr.details pre').first().waitFor();
    },
  },
  {
    name: 'not-found',
    path: () => '/console/no/such/screen',
    heading: 'Not found',
    ready: async () => undefined,
  },
];

async function signIn(page: Page): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(admin.email);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe.each(Object.keys(VIEWPORTS) as ViewportName[])('the admin console at the %s size', (viewportName) => {
  const viewport = VIEWPORTS[viewportName];
  const size = `${viewport.width}x${viewport.height}`;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  beforeAll(async () => {
    context = await browser.newContext({ viewport });
    page = await context.newPage();
    problems = await watchProblems(context, page);
  });
  afterAll(() => context?.close());

  it('shows the sign-in screen first, whatever the address', async () => {
    await page.goto(`${t.adminUrl}/console/users`);
    await page.getByRole('heading', { name: 'Pandora admin console' }).waitFor();
    expect(await page.getByLabel('Email', { exact: true }).isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, `sign-in-${size}.png`), fullPage: true });
    expect(await problems.list()).toEqual([]);
  });

  it.each(SCREENS.map((screen) => [screen.name, screen] as const))(
    'loads %s by its address, signs in and renders it without an error or a CSP violation',
    async (name, screen) => {
      await page.goto(`${t.adminUrl}${screen.path()}`);
      await signIn(page);
      const heading = typeof screen.heading === 'string' ? screen.heading : screen.heading();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await screen.ready(page);
      await page.waitForLoadState('networkidle');
      expect(new URL(page.url()).pathname).toBe(screen.path().split('?')[0]);
      // Readable at this size: nothing wider than the viewport.
      expect(await inPage.scrollWidth(page)).toBeLessThanOrEqual(viewport.width);
      // Every form control has a label.
      expect(await inPage.unlabelledControls(page)).toEqual([]);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
      expect(await problems.list()).toEqual([]);
    },
    60_000,
  );
});
