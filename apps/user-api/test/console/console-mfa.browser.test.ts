import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOG } from '@pandora/errors';
import { totpForStep } from '@pandora/testing';
import { buildAdminConsole, SCREENSHOTS, VIEWPORTS, type BuiltConsole } from '../support/admin-console';
import { launchChromium } from '../support/chromium';
import { bearer, createAdmin, eventually, registerUser, sessionIdOf, type AdminSession, type RegisteredUser } from '../support/fixtures';
import { claimsOf, sql, StepClock } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The console's two-factor work against the real API, PostgreSQL and Redis, in real Chromium: an
 * administrator enrols TOTP through the public API (codes computed by the tests' own RFC 6238,
 * libs/testing), signs in to the console with the password and a code, and resets a user's second
 * factor. ADMIN_MFA_REQUIRED is on, as in production: without the code the admin API refuses. The
 * user-api runs on a clock the test moves, so TOTP steps and the challenge's expiry are crossed
 * without waiting.
 */
const clock = new StepClock();
const CHALLENGE_TTL_MS = 5 * 60_000;

let t: TestUserApi;
let built: BuiltConsole;
let browser: Browser;
let admin: AdminSession;
let adminSecret: string;
let adminRecoveryCodes: string[];

beforeAll(async () => {
  built = await buildAdminConsole();
  t = await startTestUserApi({
    clock,
    consoleDirectory: built.directory,
    env: { ADMIN_MFA_REQUIRED: 'true', MFA_CHALLENGE_TTL: '5m', LOGIN_LOCKOUT_THRESHOLD: '10' },
  });
  admin = await createAdmin(t);
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  built?.remove();
});

jest.setTimeout(60_000);

/** The code an authenticator app shows now for `secret`; the clock then moves on, so the next code is fresh. */
function nextCode(secret: string): string {
  const code = totpForStep(secret, clock.step);
  clock.nextStep();
  return code;
}

/** TOTP setup and confirm through the PUBLIC API, as an administrator (or anyone) enrols. */
async function enrolThroughPublicApi(email: string, password: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const login = await t.http().post('/api/v1/auth/login').send({ email, password });
  expect(login.status).toBe(200);
  const token = login.body.access_token as string;
  const setup = await t.http().post('/api/v1/users/me/mfa/totp/setup').set(bearer(token)).send({ password });
  expect(setup.status).toBe(200);
  const confirm = await t
    .http()
    .post('/api/v1/users/me/mfa/totp/confirm')
    .set(bearer(token))
    .send({ code: nextCode(setup.body.secret) });
  expect(confirm.status).toBe(200);
  return { secret: setup.body.secret, recoveryCodes: confirm.body.recovery_codes };
}

/** An `aal: 2` admin token for checking the real state through the admin API. */
async function adminTokenWithCode(): Promise<string> {
  const login = await t.admin().post('/api/v1/admin/auth/login').send({ email: admin.email, password: admin.password });
  expect(login.body.mfa_required).toBe(true);
  const verified = await t
    .admin()
    .post('/api/v1/admin/auth/mfa/verify')
    .send({ mfa_token: login.body.mfa_token, code: nextCode(adminSecret) });
  expect(verified.status).toBe(200);
  return verified.body.access_token;
}

async function openConsole(): Promise<{ context: BrowserContext; page: Page; requests: Request[] }> {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  await page.goto(`${t.adminUrl}/console`);
  return { context, page, requests };
}

async function enterPassword(page: Page): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(admin.email);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Authentication code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

const panel = (page: Page, heading: string) =>
  page.locator('section.panel', { has: page.getByRole('heading', { level: 2, name: heading }) });

/** The access token the console sent with its last admin API call. */
function lastBearer(requests: Request[]): string {
  const authorization = requests
    .map((request) => request.headers().authorization)
    .filter((value): value is string => value?.startsWith('Bearer ') === true)
    .at(-1);
  if (!authorization) throw new Error('the console sent no token');
  return authorization.slice('Bearer '.length);
}

describe('the admin console with two-factor authentication, against the real API', () => {
  it('shows the admin API’s refusal to an administrator who has no second factor yet', async () => {
    const { context, page } = await openConsole();
    await enterPassword(page);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const refusal = page.getByRole('alert').filter({ hasText: 'MFA_ENROLMENT_REQUIRED' });
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain(ERROR_CATALOG.MFA_ENROLMENT_REQUIRED.message);
    expect((await t.admin().get('/api/v1/admin/stats').set(bearer(admin.accessToken))).status).toBe(403);
    await context.close();
  });

  it('signs in with the password and then a TOTP code once the administrator enrolled through the public API', async () => {
    ({ secret: adminSecret, recoveryCodes: adminRecoveryCodes } = await enrolThroughPublicApi(admin.email, admin.password));
    expect(adminRecoveryCodes).toHaveLength(10);
    expect((await sql(t.db.url, 'SELECT mfa_enabled FROM users WHERE id = $1', [admin.id]))[0]).toEqual({ mfa_enabled: true });

    const { context, page, requests } = await openConsole();
    await enterPassword(page);
    await page.getByLabel('Authentication code').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in-code-1280x800.png') });
    expect(await page.getByText('or one of your recovery codes').count()).toBe(1);

    // A wrong code: the API's own message, and the code step stays.
    await enterCode(page, '000000');
    await page.getByRole('alert').filter({ hasText: ERROR_CATALOG.INVALID_MFA_CODE.message }).waitFor();
    expect(await page.getByLabel('Authentication code').isVisible()).toBe(true);

    await enterCode(page, ` ${nextCode(adminSecret)} `);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.locator('[data-stat="total_users"]').waitFor();

    // The console's session is a real two-factor one, and the database recorded how it was opened.
    const claims = claimsOf(lastBearer(requests));
    expect(claims).toMatchObject({ sub: admin.id, amr: ['pwd', 'otp'], aal: 2 });
    expect(await sql(t.db.url, 'SELECT aal, amr FROM sessions WHERE id = $1', [sessionIdOf(lastBearer(requests))])).toEqual([
      { aal: 2, amr: ['pwd', 'otp'] },
    ]);
    const audit = await sql<{ event_type: string; metadata: Record<string, unknown> }>(
      t.db.url,
      "SELECT event_type, metadata FROM audit_logs WHERE user_id = $1 AND event_type IN ('auth.mfa.failed', 'auth.login.succeeded') ORDER BY created_at, event_type",
      [admin.id],
    );
    expect(audit.filter((row) => row.event_type === 'auth.mfa.failed')).toHaveLength(1);
    expect(audit.filter((row) => row.event_type === 'auth.login.succeeded').at(-1)?.metadata).toMatchObject({
      required_role: 'admin',
      second_factor: 'totp',
    });
    await context.close();
  });

  it('sends the administrator back to the password when the challenge expired, and accepts a recovery code', async () => {
    const { context, page } = await openConsole();
    await enterPassword(page);
    await page.getByLabel('Authentication code').waitFor();
    clock.advance(CHALLENGE_TTL_MS);
    await enterCode(page, nextCode(adminSecret));
    await page.getByRole('alert').filter({ hasText: ERROR_CATALOG.INVALID_MFA_TOKEN.message }).waitFor();
    await page.getByLabel('Password', { exact: true }).waitFor();

    await enterPassword(page);
    await enterCode(page, (adminRecoveryCodes[0] as string).toLowerCase());
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const unused = await sql<{ count: number }>(
      t.db.url,
      'SELECT count(*)::int AS count FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [admin.id],
    );
    expect(unused).toEqual([{ count: 9 }]);
    await context.close();
  });

  it('resets a user’s second factor only after confirming: the factor is gone, their sessions end, the admin is the actor', async () => {
    const user: RegisteredUser = await registerUser(t.http());
    await enrolThroughPublicApi(user.email, user.password);
    // The user's login now stops at a challenge: the reset must kill it, and the user's sessions.
    const challenge = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(challenge.body.mfa_required).toBe(true);

    const { context, page } = await openConsole();
    await enterPassword(page);
    await enterCode(page, nextCode(adminSecret));
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByLabel('Email or name').fill(user.email);
    await page.getByLabel('Email or name').press('Enter');
    await page.locator('table.users').getByRole('link', { name: user.email }).click();
    await page.getByRole('heading', { level: 1, name: user.email }).waitFor();

    const security = panel(page, 'Sign-in security');
    expect(await security.innerText()).toMatch(/Multi-factor authentication\s+On/);
    await security.getByRole('button', { name: 'Reset MFA' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset multi-factor authentication?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await sql(t.db.url, 'SELECT mfa_enabled FROM users WHERE id = $1', [user.id]))[0]).toEqual({ mfa_enabled: true });

    await security.getByRole('button', { name: 'Reset MFA' }).click();
    await dialog.getByRole('button', { name: 'Reset MFA' }).click();
    await page.getByRole('status').filter({ hasText: 'Multi-factor authentication was reset.' }).waitFor();
    await eventually(async () => /Multi-factor authentication\s+Off/.test(await security.innerText()), 10_000);
    expect(await security.getByRole('button', { name: 'Reset MFA' }).count()).toBe(0);

    // The real state: through the admin API, the database, the audit trail and the outbox.
    const adminToken = await adminTokenWithCode();
    expect((await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(adminToken))).body).toMatchObject({ mfa_enabled: false });
    expect(await sql(t.db.url, 'SELECT user_id FROM user_mfa WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await sql(t.db.url, 'SELECT id FROM mfa_recovery_codes WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await sql(t.db.url, 'SELECT revoked_reason FROM sessions WHERE user_id = $1 AND revoked_at IS NULL', [user.id])).toEqual([]);
    await eventually(async () => (await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).status === 401, 10_000);
    const [audit] = await sql<{ actor_type: string; actor_identifier: string; metadata: Record<string, unknown> }>(
      t.db.url,
      "SELECT actor_type, actor_identifier, metadata FROM audit_logs WHERE user_id = $1 AND event_type = 'user.mfa.disabled'",
      [user.id],
    );
    expect(audit).toMatchObject({ actor_type: 'admin', actor_identifier: admin.email, metadata: { reason: 'admin_reset' } });
    const [event] = await sql<{ payload: Record<string, unknown>; metadata: Record<string, unknown> }>(
      t.db.url,
      "SELECT payload, metadata FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'user.mfa.disabled'",
      [user.id],
    );
    expect(event).toMatchObject({ payload: { reason: 'admin_reset' }, metadata: { actor_id: admin.id, actor_type: 'admin' } });
    // The challenge the user had open died with the factor, and a password alone opens a session again.
    expect(
      (await t.http().post('/api/v1/auth/mfa/verify').send({ mfa_token: challenge.body.mfa_token, code: '123456' })).body.error.code,
    ).toBe('INVALID_MFA_TOKEN');
    const again = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(again.status).toBe(200);
    expect(again.body).toHaveProperty('access_token');
    await context.close();
  });
});
