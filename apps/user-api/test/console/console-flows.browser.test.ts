import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { buildAdminConsole, inPage, SCREENSHOTS, VIEWPORTS, type BuiltConsole } from '../support/admin-console';
import { launchChromium } from '../support/chromium';
import { bearer, createAdmin, eventually, logIn, registerUser, STRONG_PASSWORD, type AdminSession } from '../support/fixtures';
import { onlyAuditRow } from '../support/audit-rows';
import { noticeWithFreezeLink } from '../support/notices';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';
import { outboxEvents, users } from '@pandora/data-access';

/**
 * The admin console's daily work, done in real Chromium against a real user-api, PostgreSQL and
 * Redis — and checked on the real state through the API and the database, not only on the page.
 * One browser and one page for the suite: the tests follow each other like a shift at the desk.
 */
const LOCKOUT_THRESHOLD = 3;

let t: TestUserApi;
let built: BuiltConsole;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let admin: AdminSession;
const requests: Request[] = [];

beforeAll(async () => {
  built = await buildAdminConsole();
  t = await startTestUserApi({ consoleDirectory: built.directory, env: { LOGIN_LOCKOUT_THRESHOLD: String(LOCKOUT_THRESHOLD) } });
  admin = await createAdmin(t);
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  page = await context.newPage();
  // Below Jest's own timeout, so that a wait that fails says what it waited for.
  page.setDefaultTimeout(20_000);
  page.on('request', (request) => requests.push(request));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  built?.remove();
});

const adminApi = {
  get: (path: string) => t.admin().get(path).set(bearer(admin.accessToken)),
};

async function signIn(on: Page = page, password = admin.password): Promise<void> {
  await on.getByLabel('Email', { exact: true }).fill(admin.email);
  await on.getByLabel('Password', { exact: true }).fill(password);
  await on.getByRole('button', { name: 'Sign in' }).click();
}

async function goTo(screen: 'Overview' | 'Users' | 'KYC queue' | 'Audit log', on: Page = page): Promise<void> {
  await on.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen, exact: true }).click();
  await on.getByRole('heading', { level: 1, name: screen }).waitFor();
}

async function openUser(email: string, on: Page = page): Promise<void> {
  await goTo('Users', on);
  await on.getByLabel('Email or name').fill(email);
  await on.getByLabel('Email or name').press('Enter');
  await on.locator('table.users').getByRole('link', { name: email }).click();
  await on.getByRole('heading', { level: 1, name: email }).waitFor();
}

const panel = (heading: string, on: Page = page) =>
  on.locator('section.panel', { has: on.getByRole('heading', { level: 2, name: heading }) });

jest.setTimeout(60_000);

describe('the admin console against the real API', () => {
  it('signs in with a password, showing the API’s own message for a wrong one', async () => {
    const refused = await t.admin().post('/api/v1/admin/auth/login').send({ email: admin.email, password: 'not the password' });
    expect(refused.status).toBe(401);

    await page.goto(`${t.adminUrl}/console`);
    await signIn(page, 'not the password');
    await page.getByRole('alert').filter({ hasText: refused.body.error.message }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('INVALID_CREDENTIALS');

    await signIn();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const stats = (await adminApi.get('/api/v1/admin/stats')).body;
    expect(await page.locator('[data-stat="total_users"]').innerText()).toBe(String(stats.total_users));
    expect(await page.locator('[data-stat="pending_reviews"]').innerText()).toBe(String(stats.users_by_kyc_status.pending));
  });

  it('keeps the token in memory only: no cookie, no Web Storage, nothing in the page', async () => {
    expect(await context.cookies()).toEqual([]);
    expect(await inPage.storage(page)).toEqual([0, 0, '']);
    const authorization = requests.map((request) => request.headers().authorization).find((value) => value?.startsWith('Bearer '));
    const token = authorization?.slice('Bearer '.length) as string;
    expect(token).toMatch(/^eyJ/);
    expect(await page.content()).not.toContain(token);
  });

  it('searches users by name and opens one', async () => {
    const user = await registerUser(t.http(), { first_name: 'Hedy', last_name: 'Lamarr' });
    await goTo('Users');
    await page.getByLabel('Email or name').fill('lamarr');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator('table.users tbody tr', { hasText: user.email });
    await row.waitFor();
    expect(new URL(page.url()).searchParams.get('query')).toBe('lamarr');
    expect(await row.innerText()).toContain('Hedy Lamarr');
    await row.getByRole('link', { name: user.email }).click();
    await page.getByRole('heading', { level: 1, name: user.email }).waitFor();
    expect(await panel('Profile').innerText()).toContain(user.id);
    // Support needs to know whether the address was ever proved before trusting a mail to it.
    await panel('Profile').getByText('Not yet: no link sent to it has been opened').waitFor();
    await t.rows.update(users, { id: user.id }, { emailVerifiedAt: new Date() });
    await eventually(async () => (await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.email_verified === true, 5_000);
    await openUser(user.email);
    await panel('Profile').getByText('Yes: the owner opened a link sent to it').waitFor();
  });

  it('approves a pending KYC from the queue with a reason: the API shows verified, the audit row and the event carry the reason', async () => {
    const user = await registerUser(t.http(), { first_name: 'Katherine', last_name: 'Johnson' });
    const reason = 'Passport and selfie match; address proof dated this month';
    await goTo('KYC queue');
    const item = page.getByRole('listitem', { name: user.email });
    await item.getByLabel(`Reason for ${user.email}`).fill(reason);
    await item.getByRole('button', { name: 'Approve' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${user.email}: verified` })
      .waitFor();
    await item.waitFor({ state: 'detached' });

    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.kyc_status).toBe('verified');
    const row = await onlyAuditRow(t.rows, user.id, 'user.kyc.updated');
    expect(row).toMatchObject({ actorIdentifier: admin.email, metadata: { rules: 'admin', reason } });
    const event = await t.rows.one(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' });
    expect(event.payload).toMatchObject({ kyc_status: 'verified', old_status: 'pending', reason });

    // The user's page shows the decision in the KYC history, reason included.
    await openUser(user.email);
    const history = panel('KYC').locator('table.kyc-history tbody tr').first();
    expect(await history.innerText()).toContain('pending → verified');
    expect(await history.innerText()).toContain(reason);
  });

  it('asks for a reason before a rejection, and shows the API’s refusal of an impossible move', async () => {
    const user = await registerUser(t.http());
    await t.admin().patch(`/api/v1/admin/users/${user.id}/kyc`).set(bearer(admin.accessToken)).send({ kyc_status: 'verified' }).expect(200);
    await openUser(user.email);
    await panel('KYC').getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Give a reason for a rejection.').waitFor();
    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.kyc_status).toBe('verified');

    // verified → pending is not a move compliance may make: the API says so, the console repeats it.
    const refusal = await t
      .admin()
      .patch(`/api/v1/admin/users/${user.id}/kyc`)
      .set(bearer(admin.accessToken))
      .send({ kyc_status: 'pending' });
    expect(refusal.status).toBe(409);
    await panel('KYC').getByRole('button', { name: 'Back to pending' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'INVALID_KYC_TRANSITION' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(refusal.body.error.message);
    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.kyc_status).toBe('verified');
  });

  it('revokes a user’s sessions only after confirming, and their tokens are refused', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    await openUser(user.email);
    const sessions = panel('Sessions');
    await sessions.locator('tbody tr').nth(1).waitFor();
    expect(await sessions.locator('tbody tr').count()).toBe(2);

    await sessions.getByRole('button', { name: 'Revoke all sessions' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke every session?' });
    await dialog.waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'confirm-dialog-1280x800.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await t.http().get('/api/v1/users/me').set(bearer(second.accessToken))).status).toBe(200);

    await sessions.getByRole('button', { name: 'Revoke all sessions' }).click();
    await dialog.getByRole('button', { name: 'Revoke all sessions' }).click();
    await page.getByRole('status').filter({ hasText: 'Every session was revoked.' }).waitFor();
    await sessions.getByText('No active session.').waitFor();
    for (const token of [user.accessToken, second.accessToken]) {
      await eventually(async () => (await t.http().get('/api/v1/users/me').set(bearer(token))).status === 401, 10_000);
    }
    expect((await adminApi.get(`/api/v1/admin/users/${user.id}/sessions`)).body.sessions).toEqual([]);
  });

  it('unlocks an account that failed logins locked', async () => {
    const user = await registerUser(t.http());
    for (let attempt = 0; attempt < LOCKOUT_THRESHOLD; attempt++) {
      expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password here' })).status).toBe(401);
    }
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: STRONG_PASSWORD })).status).toBe(429);

    await openUser(user.email);
    const security = panel('Sign-in security');
    expect(await security.innerText()).toMatch(/Locked until \d{4}-\d{2}-\d{2}/);
    await security.getByRole('button', { name: 'Unlock sign-in' }).click();
    await page.getByRole('status').filter({ hasText: 'Sign-in unlocked.' }).waitFor();
    await security.getByText('Not locked').waitFor();

    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.locked_until).toBeNull();
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: STRONG_PASSWORD })).status).toBe(200);
  });

  it('reads the audit log: filters, a row’s details, and cursor paging that matches the API', async () => {
    const user = await registerUser(t.http());
    for (let login = 0; login < 22; login++) await logIn(t.http(), user.email, user.password);
    const apiPage = (cursor?: string) =>
      adminApi.get(
        `/api/v1/admin/audit-logs?user_id=${user.id}&event_type=auth.login.succeeded&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
    const first = (await apiPage()).body;
    const second = (await apiPage(first.next_cursor)).body;
    expect(first.items).toHaveLength(20);
    expect(second.items).toHaveLength(2);

    await goTo('Audit log');
    await page.getByLabel('User id').fill(user.id);
    await page.getByLabel('Event type').fill('auth.login.succeeded');
    await page.getByLabel('Per page').selectOption('20');
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = page.locator('table.audit tbody tr:not(.details)');
    await eventually(async () => (await rows.count()) === 20 && (await rows.first().innerText()).includes('auth.login.succeeded'), 10_000);

    // A row's details: every recorded field, e.g. the request id the API stored.
    await rows.first().getByRole('button', { name: 'Details' }).click();
    const details = page.locator('tr.details');
    await details.waitFor();
    expect(await details.innerText()).toContain(first.items[0].request_id);
    expect(await details.innerText()).toContain(first.items[0].id);

    await page.getByRole('link', { name: 'Older →' }).click();
    await eventually(async () => (await rows.count()) === 2, 10_000);
    expect(new URL(page.url()).searchParams.get('cursor')).toBe(first.next_cursor);
    await rows.nth(1).getByRole('button', { name: 'Details' }).click();
    expect(await page.locator('tr.details').innerText()).toContain(second.items[1].id);
    expect(await page.getByRole('link', { name: 'Older →' }).count()).toBe(0);

    // Back returns to the newer page.
    await page.goBack();
    await eventually(async () => (await rows.count()) === 20, 10_000);
  });

  it('changes a role and deletes an account only after confirming', async () => {
    const user = await registerUser(t.http());
    await openUser(user.email);
    await panel('Role').getByRole('button', { name: 'Make administrator' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Change role' }).click();
    await page.getByRole('status').filter({ hasText: 'The role is now admin.' }).waitFor();
    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.role).toBe('admin');

    const remove = panel('Delete account').getByRole('button', { name: 'Delete account' });
    await remove.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.deleted_at).toBeNull();
    await remove.click();
    // Escape cancels too.
    await page.getByRole('dialog', { name: 'Delete this account?' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.deleted_at).toBeNull();

    await remove.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete account' }).click();
    await page.getByRole('status').filter({ hasText: 'The account was deleted.' }).waitFor();
    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body).toMatchObject({ is_active: false, deleted_at: expect.any(String) });
    await panel('Profile').locator('.badge.state-deleted').waitFor();
  });

  it('shows MFA off without a reset for a user with no second factor, and no unfreeze for an account that is not frozen', async () => {
    const user = await registerUser(t.http());
    const answer = (await adminApi.get(`/api/v1/admin/users/${user.id}`)).body;
    expect(answer).toMatchObject({ mfa_enabled: false, frozen_at: null });
    await openUser(user.email);
    const security = await panel('Sign-in security').innerText();
    expect(security).toMatch(/Multi-factor authentication\s+Off/);
    expect(security).toMatch(/Frozen by its owner\s+No/);
    expect(await page.getByRole('button', { name: /Reset MFA|Unfreeze/ }).count()).toBe(0);
  });

  it('shows a freeze its owner made from a notice, and unfreezes it after confirming', async () => {
    const user = await registerUser(t.http());
    const { token } = await noticeWithFreezeLink(t.http, t.rows, user);
    expect((await t.http().post('/api/v1/auth/account/freeze').send({ token })).status).toBe(204);
    const frozenAt = (await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.frozen_at as string;
    expect(frozenAt).toEqual(expect.any(String));

    await openUser(user.email);
    const security = panel('Sign-in security');
    await security.getByText(`Since ${frozenAt.slice(0, 10)}`, { exact: false }).waitFor();
    await panel('Profile').locator('.badge.state-frozen').waitFor();

    // Cancelling changes nothing.
    await security.getByRole('button', { name: 'Unfreeze' }).click();
    await page.getByRole('dialog', { name: 'Unfreeze this account?' }).getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body.frozen_at).toBe(frozenAt);

    await security.getByRole('button', { name: 'Unfreeze' }).click();
    await page.getByRole('dialog', { name: 'Unfreeze this account?' }).getByRole('button', { name: 'Unfreeze' }).click();
    await page.getByRole('status').filter({ hasText: 'The account is no longer frozen.' }).waitFor();
    expect((await adminApi.get(`/api/v1/admin/users/${user.id}`)).body).toMatchObject({ frozen_at: null, is_active: true });
    expect(await onlyAuditRow(t.rows, user.id, 'user.account.unfrozen')).toMatchObject({
      actorType: 'admin',
      actorIdentifier: admin.email,
    });
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(200);
    // The console reloads the account after the write; the button goes once that answer is rendered.
    await security.getByRole('button', { name: 'Unfreeze' }).waitFor({ state: 'detached' });
  });

  it('talked only to the admin API of its own origin, with an Idempotency-Key on every write', () => {
    const origin = new URL(t.adminUrl).origin;
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((request) => new URL(request.url()).origin !== origin).map((request) => request.url())).toEqual([]);
    const api = requests.filter((request) => new URL(request.url()).pathname.startsWith('/api/'));
    expect(api.every((request) => new URL(request.url()).pathname.startsWith('/api/v1/admin/'))).toBe(true);
    const writes = api.filter((request) => request.method() !== 'GET');
    expect(writes.length).toBeGreaterThanOrEqual(6);
    for (const write of writes)
      expect({ write: write.url(), key: write.headers()['idempotency-key'] }).toEqual({
        write: write.url(),
        key: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
    expect(new Set(writes.map((write) => write.headers()['idempotency-key'])).size).toBe(writes.length);
    expect(api.filter((request) => request.headers().cookie !== undefined)).toEqual([]);
  });

  it('returns to sign-in, saying why, when the session is revoked elsewhere', async () => {
    await t.admin().delete(`/api/v1/admin/users/${admin.id}/sessions`).set(bearer(admin.accessToken)).expect(204);
    await eventually(async () => (await adminApi.get('/api/v1/admin/stats')).status === 401, 10_000);
    const overview = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview', exact: true });
    // A request the console still had in flight (the reload after the last test's write) may meet
    // the revocation first and sign the console out on its own, taking the link away mid-click.
    // Either way it must end at sign-in saying why; a click that fails with the link still there
    // is a real failure.
    await overview.click().catch(async (error: unknown) => {
      if ((await overview.count()) > 0) throw error;
    });
    await page.getByRole('heading', { level: 1, name: 'Pandora admin console' }).waitFor();
    expect(await page.getByRole('status').innerText()).toMatch(/signed out/i);
  });
});

describe('the admin console by keyboard alone', () => {
  let keyboardContext: BrowserContext;
  let keys: Page;
  beforeAll(async () => {
    keyboardContext = await browser.newContext({ viewport: VIEWPORTS.desktop });
    keys = await keyboardContext.newPage();
    keys.setDefaultTimeout(20_000);
  });
  afterAll(() => keyboardContext?.close());

  const focused = () => inPage.focused(keys);
  async function tabTo(matches: (element: Awaited<ReturnType<typeof focused>>) => boolean, key = 'Tab'): Promise<void> {
    for (let step = 0; step < 40; step++) {
      await keys.keyboard.press(key);
      if (matches(await focused())) return;
    }
    throw new Error(`${key} never reached the element`);
  }

  it('signs in, searches, opens a user and cancels a revocation, with the focus visible at every step', async () => {
    const user = await registerUser(t.http(), { first_name: 'Radia', last_name: 'Perlman' });
    await keys.goto(`${t.adminUrl}/console`);
    await keys.getByRole('heading', { level: 1, name: 'Pandora admin console' }).waitFor();

    await keys.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ id: 'sign-in-email', outline: 'solid 3px' });
    await keys.keyboard.type(admin.email);
    await keys.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ id: 'sign-in-password' });
    await keys.keyboard.type(admin.password);
    await keys.keyboard.press('Enter');
    await keys.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await focused()).toMatchObject({ tag: 'H1', text: 'Overview' });

    // The navigation comes before the content: backwards from the heading.
    await tabTo((element) => element.tag === 'A' && element.text === 'Users', 'Shift+Tab');
    expect((await focused()).outline).toBe('solid 3px');
    await keys.keyboard.press('Enter');
    await keys.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await keys.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ id: 'users-query', outline: 'solid 3px' });
    await keys.keyboard.type('perlman');
    await keys.keyboard.press('Enter');
    await keys.locator('table.users').getByRole('link', { name: user.email }).waitFor();
    await tabTo((element) => element.tag === 'A' && element.text === user.email);
    await keys.keyboard.press('Enter');
    await keys.getByRole('heading', { level: 1, name: user.email }).waitFor();

    await tabTo((element) => element.tag === 'BUTTON' && element.text === 'Revoke all sessions');
    await keys.keyboard.press('Enter');
    await keys.getByRole('dialog', { name: 'Revoke every session?' }).waitFor();
    // The safe choice has the focus: Enter alone never destroys anything.
    expect(await focused()).toMatchObject({ tag: 'BUTTON', text: 'Cancel' });
    await keys.keyboard.press('Enter');
    await keys.getByRole('dialog').waitFor({ state: 'detached' });
    // The focus returns as the dialog closes; a loaded browser may run that a frame later.
    await eventually(async () => {
      const element = await focused();
      return element.tag === 'BUTTON' && element.text === 'Revoke all sessions';
    }, 5_000);
    expect((await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).status).toBe(200);
  });
});
