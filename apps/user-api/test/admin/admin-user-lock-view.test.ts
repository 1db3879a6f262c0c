import { auditLogs } from '@pandora/data-access';
import { bearer, createAdmin, registerUser, type AdminSession, type RegisteredUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * `locked_until` lives in the login throttle (Redis), not on the user row: every admin reply that
 * returns an AdminUser must look it up, or a KYC or role decision would show a locked account as
 * unlocked to the very administrator handling it.
 */
const THRESHOLD = 3;
let t: TestUserApi;
let admin: AdminSession;
beforeAll(async () => {
  // A lock far longer than the suite, so it is still in force when the replies are checked.
  t = await startTestUserApi({ env: { LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD), LOGIN_LOCKOUT_BASE: '10m', LOGIN_LOCKOUT_MAX: '1h' } });
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

/** Fails logins past the threshold and returns when the lock ends, as the audit trail recorded it. */
async function lockOut(user: RegisteredUser): Promise<string> {
  for (let i = 0; i < THRESHOLD; i++) {
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'not the password' })).status).toBe(401);
  }
  expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(429);
  const lock = await t.rows.one(auditLogs, { userId: user.id, eventType: 'security.login_locked' });
  const lockedUntil = (lock.metadata as { locked_until?: unknown } | null)?.locked_until;
  if (typeof lockedUntil !== 'string') throw new Error(`the lock's audit row has no locked_until: ${JSON.stringify(lock.metadata)}`);
  expect(Date.parse(lockedUntil)).toBeGreaterThan(Date.now());
  return lockedUntil;
}

const send = (method: 'patch' | 'put', path: string, body: object) => t.admin()[method](path).set(bearer(admin.accessToken)).send(body);

describe('locked_until in admin replies', () => {
  it('shows the lock on GET /admin/users/:id (the reference the other replies must match)', async () => {
    const user = await registerUser(t.http());
    const lockedUntil = await lockOut(user);
    const response = await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken));
    expect(response.body).toMatchObject({ id: user.id, locked_until: lockedUntil });
  });

  it.each(['patch', 'put'] as const)('shows the lock in the reply to a KYC decision (%s)', async (method) => {
    const user = await registerUser(t.http());
    const lockedUntil = await lockOut(user);
    const response = await send(method, `/api/v1/admin/users/${user.id}/kyc`, { kyc_status: 'verified' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id, kyc_status: 'verified', locked_until: lockedUntil });
  });

  it.each(['patch', 'put'] as const)('shows the lock in the reply to a role change (%s)', async (method) => {
    const user = await registerUser(t.http());
    const lockedUntil = await lockOut(user);
    const response = await send(method, `/api/v1/admin/users/${user.id}/role`, { role: 'admin' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id, role: 'admin', locked_until: lockedUntil });
  });

  it('shows the lock in the reply to a no-op decision too (the current status or role again)', async () => {
    const user = await registerUser(t.http());
    const lockedUntil = await lockOut(user);
    expect((await send('patch', `/api/v1/admin/users/${user.id}/kyc`, { kyc_status: 'pending' })).body).toMatchObject({
      locked_until: lockedUntil,
    });
    expect((await send('patch', `/api/v1/admin/users/${user.id}/role`, { role: 'user' })).body).toMatchObject({
      locked_until: lockedUntil,
    });
  });

  it('answers null once an administrator has cleared the lock', async () => {
    const user = await registerUser(t.http());
    await lockOut(user);
    expect((await t.admin().post(`/api/v1/admin/users/${user.id}/unlock`).set(bearer(admin.accessToken))).status).toBe(204);
    expect((await send('patch', `/api/v1/admin/users/${user.id}/kyc`, { kyc_status: 'rejected' })).body).toMatchObject({
      kyc_status: 'rejected',
      locked_until: null,
    });
  });
});
