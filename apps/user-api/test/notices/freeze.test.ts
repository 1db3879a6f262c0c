import { mailMessages, oneTimeTokens, outboxEvents, users } from '@pandora/data-access';
import { FREEZE_LINK_TTL_MS } from '@pandora/domain';
import type { Response } from 'supertest';
import { onlyAuditRow } from '../support/audit-rows';
import {
  bearer,
  createAdmin,
  eventually,
  expectErrorEnvelope,
  logIn,
  registerUser,
  uniqueEmail,
  type AdminSession,
} from '../support/fixtures';
import { enrol, StepClock } from '../support/mfa';
import { latestFreezeLink, noticeWithFreezeLink } from '../support/notices';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The freeze switch over HTTP, PostgreSQL and Redis: the link of a security notice freezes the
 * account at once, logins answer ACCOUNT_FROZEN only to the right password, and support unfreezes.
 * The freeze links are read from the queued notices (docs/accounts.md, "Security notices and the freeze switch").
 */
let t: TestUserApi;
let admin: AdminSession;
const clock = new StepClock();

beforeAll(async () => {
  t = await startTestUserApi({ clock });
  admin = await createAdmin(t);
});
afterAll(async () => {
  await t?.stop();
});

const freeze = (token: unknown) => t.http().post('/api/v1/auth/account/freeze').send({ token });
const me = (accessToken: string) => t.http().get('/api/v1/users/me').set(bearer(accessToken));
const login = (email: string, password: string) => t.http().post('/api/v1/auth/login').send({ email, password });
const strip = (body: { error: Record<string, unknown> }) => ({ ...body.error, request_id: undefined });

describe('the freeze switch', () => {
  it('revokes every session within a second, and refuses the refresh token', async () => {
    const user = await registerUser(t.http());
    const { token } = await noticeWithFreezeLink(t.http, t.rows, user);
    const other = await logIn(t.http(), user.email, user.password);
    expect((await me(other.accessToken)).status).toBe(200); // warm the session cache

    expect((await freeze(token)).status).toBe(204);

    let last: Response | undefined;
    const elapsed = await eventually(
      async () => {
        last = await me(other.accessToken);
        return last.status === 401;
      },
      1000,
      25,
    );
    expect(elapsed).toBeLessThanOrEqual(1000);
    expectErrorEnvelope(last?.body, 'INVALID_TOKEN');
    const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: other.refreshToken });
    expect(refreshed.status).toBe(401);
  });

  it('answers 403 ACCOUNT_FROZEN to the right password only; a wrong one gets the very answer of any wrong password', async () => {
    const user = await registerUser(t.http());
    const { token } = await noticeWithFreezeLink(t.http, t.rows, user);
    expect((await freeze(token)).status).toBe(204);

    const right = await login(user.email, user.password);
    expect(right.status).toBe(403);
    expectErrorEnvelope(right.body, 'ACCOUNT_FROZEN');

    const wrong = await login(user.email, 'not the password at all');
    const unknown = await login(uniqueEmail('ghost'), 'not the password at all');
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong.body, 'INVALID_CREDENTIALS');
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
  });

  it('answers ACCOUNT_FROZEN to the right password of an MFA account, before any challenge', async () => {
    const user = await registerUser(t.http());
    await enrol(t.http, user, clock);
    expect((await freeze(await latestFreezeLink(t.rows, user.id))).status).toBe(204);

    const right = await login(user.email, user.password);
    expect(right.status).toBe(403);
    expectErrorEnvelope(right.body, 'ACCOUNT_FROZEN');
    expect((await login(user.email, 'not the password at all')).status).toBe(401);
  });

  it('kills every one-time token issued before the freeze, and records the freeze in the event, the audit row and the admin view', async () => {
    const user = await registerUser(t.http());
    const { token } = await noticeWithFreezeLink(t.http, t.rows, user);
    const { token: second } = await noticeWithFreezeLink(t.http, t.rows, user);
    expect((await freeze(second)).status).toBe(204);

    expect((await t.rows.find(oneTimeTokens, { userId: user.id })).filter((stored) => stored.usedAt === null)).toEqual([]);
    const older = await freeze(token);
    expect(older.status).toBe(400);
    expectErrorEnvelope(older.body, 'INVALID_OR_EXPIRED_TOKEN');

    const frozenAt = (await t.rows.one(users, { id: user.id })).frozenAt;
    expect(frozenAt).toBeInstanceOf(Date);
    const events = await t.rows.find(outboxEvents, { aggregateId: user.id, eventType: 'user.account.frozen' });
    expect(events.map((event) => event.payload)).toEqual([{ email: user.email, frozen_at: frozenAt?.toISOString() }]);
    expect(await onlyAuditRow(t.rows, user.id, 'user.account.frozen')).toMatchObject({ severity: 'critical', actorType: 'user' });
    const view = await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken));
    expect(view.body).toMatchObject({ frozen_at: frozenAt?.toISOString(), is_active: false });
  });

  it('makes a password-reset link mailed before the freeze useless', async () => {
    const user = await registerUser(t.http());
    expect((await t.http().post('/api/v1/auth/password/forgot').send({ email: user.email })).status).toBe(202);
    // The recovery request is handled after its answer: wait for its mail in the queue.
    let resetLink: string | null = null;
    await eventually(async () => {
      const rows = await t.rows.find(mailMessages, { userId: user.id });
      resetLink = rows.find((row) => row.template === 'password_reset')?.linkToken ?? null;
      return resetLink !== null;
    }, 10_000);
    // A login from another browser brings a notice (a password change would kill the reset link itself).
    const elsewhere = await t
      .http()
      .post('/api/v1/auth/login')
      .set('User-Agent', 'curl/8.5.0')
      .send({ email: user.email, password: user.password });
    expect(elsewhere.status).toBe(200);
    expect((await freeze(await latestFreezeLink(t.rows, user.id))).status).toBe(204);

    const reset = await t
      .http()
      .post('/api/v1/auth/password/reset')
      .send({ token: resetLink, new_password: 'an attacker’s new passphrase' });
    expect(reset.status).toBe(400);
    expectErrorEnvelope(reset.body, 'INVALID_OR_EXPIRED_TOKEN');
  });

  it('refuses a garbage link with 400 and never a 5xx', async () => {
    for (const token of ['', 'x', 'A'.repeat(43), 'A'.repeat(513), 42, null]) {
      const answer = await freeze(token);
      expect(answer.status).toBe(400);
    }
  });

  it('lets the owner in again once an administrator unfreezes, with the event and the audit row', async () => {
    const user = await registerUser(t.http());
    const { token } = await noticeWithFreezeLink(t.http, t.rows, user);
    expect((await freeze(token)).status).toBe(204);
    expect((await login(user.email, user.password)).status).toBe(403);

    const unfreeze = await t.admin().post(`/api/v1/admin/users/${user.id}/unfreeze`).set(bearer(admin.accessToken));
    expect(unfreeze.status).toBe(204);
    expect((await login(user.email, user.password)).status).toBe(200);
    const view = await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken));
    expect(view.body).toMatchObject({ frozen_at: null, is_active: true });
    const events = await t.rows.find(outboxEvents, { aggregateId: user.id, eventType: 'user.account.unfrozen' });
    expect(events.map((event) => event.payload)).toEqual([{ email: user.email }]);
    expect(await onlyAuditRow(t.rows, user.id, 'user.account.unfrozen')).toMatchObject({
      actorType: 'admin',
      actorIdentifier: admin.email,
    });
  });
  // Last: it moves the clock a week on, past every token issued so far.
  it('takes each link once, and not after seven days', async () => {
    const user = await registerUser(t.http());
    const { token: expiring } = await noticeWithFreezeLink(t.http, t.rows, user);
    clock.advance(FREEZE_LINK_TTL_MS);
    const late = await freeze(expiring);
    expect(late.status).toBe(400);
    expectErrorEnvelope(late.body, 'INVALID_OR_EXPIRED_TOKEN');

    // Seven days on, the access token is long expired: a new login, then a new notice.
    const again = await logIn(t.http(), user.email, user.password);
    const { token } = await noticeWithFreezeLink(t.http, t.rows, { ...user, accessToken: again.accessToken });
    expect((await freeze(token)).status).toBe(204);
    const twice = await freeze(token);
    expect(twice.status).toBe(400);
    expectErrorEnvelope(twice.body, 'INVALID_OR_EXPIRED_TOKEN');
  });
});
