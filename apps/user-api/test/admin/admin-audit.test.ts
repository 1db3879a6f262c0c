import { auditLogPageSchema, statisticsSchema } from '../../src/http/schemas/admin.schemas';
import { bearer, createAdmin, logIn, registerUser, type AdminSession } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

let t: TestUserApi;
let admin: AdminSession;
beforeAll(async () => {
  t = await startTestUserApi({ env: { AUDIT_RETENTION_DAYS: '45' } });
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

const adminGet = (path: string) => t.admin().get(path).set(bearer(admin.accessToken));

describe('GET /api/v1/admin/audit-logs', () => {
  it('filters by user and event type, newest first, with retention from AUDIT_RETENTION_DAYS', async () => {
    const user = await registerUser(t.http());
    await logIn(t.http(), user.email, user.password);
    await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password!!' }).expect(401);
    const response = await adminGet(`/api/v1/admin/audit-logs?user_id=${user.id}`);
    expect(response.status).toBe(200);
    expect(auditLogPageSchema.safeParse(response.body).success).toBe(true);
    expect(response.body.items.map((item: { event_type: string }) => item.event_type)).toEqual([
      'auth.login.failed',
      'auth.login.succeeded',
      'user.registered',
    ]);
    const registered = response.body.items[2];
    const days = (Date.parse(registered.retention_until) - Date.parse(registered.created_at)) / 86_400_000;
    expect(days).toBe(45);
    const onlyFailures = await adminGet(`/api/v1/admin/audit-logs?user_id=${user.id}&event_type=auth.login.failed`);
    expect(onlyFailures.body.items).toHaveLength(1);
    expect(JSON.stringify(response.body)).not.toMatch(/wrong password|argon2|rt_/);
  });

  it('pages through every entry with the cursor, without gaps or repeats', async () => {
    const user = await registerUser(t.http());
    for (let i = 0; i < 6; i++)
      await t
        .http()
        .patch('/api/v1/users/me')
        .set(bearer(user.accessToken))
        .send({ first_name: `Name${i}` })
        .expect(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await adminGet(`/api/v1/admin/audit-logs?user_id=${user.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      seen.push(...response.body.items.map((item: { id: string }) => item.id));
      cursor = response.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('filters by time range', async () => {
    const before = new Date().toISOString();
    const user = await registerUser(t.http());
    const after = new Date(Date.now() + 1000).toISOString();
    expect(
      (await adminGet(`/api/v1/admin/audit-logs?user_id=${user.id}&from=${encodeURIComponent(before)}&to=${encodeURIComponent(after)}`))
        .body.items,
    ).toHaveLength(1);
    expect((await adminGet(`/api/v1/admin/audit-logs?user_id=${user.id}&to=${encodeURIComponent(before)}`)).body.items).toHaveLength(0);
  });

  it.each([
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('["2026-01-01T00:00:00.000Z","nope"]').toString('base64url')}`, 'cursor'],
    ['limit=201', 'limit'],
    ['limit=0', 'limit'],
    ['user_id=42', 'user_id'],
    ['from=yesterday', 'from'],
    ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['event_type=DROP%20TABLE', 'event_type'],
    ['page=2', 'page'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const response = await adminGet(`/api/v1/admin/audit-logs?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({ field, message: expect.any(String) });
  });
});

describe('GET /api/v1/admin/stats', () => {
  it('counts active users by KYC status and live sessions', async () => {
    const before = (await adminGet('/api/v1/admin/stats')).body;
    expect(statisticsSchema.safeParse(before).success).toBe(true);
    const user = await registerUser(t.http());
    await t.admin().patch(`/api/v1/admin/users/${user.id}/kyc`).set(bearer(admin.accessToken)).send({ kyc_status: 'rejected' }).expect(200);
    const deleted = await registerUser(t.http());
    await t.http().delete('/api/v1/users/me').set(bearer(deleted.accessToken)).expect(204);
    const after = (await adminGet('/api/v1/admin/stats')).body;
    expect(after.total_users).toBe(before.total_users + 1);
    expect(after.users_by_kyc_status.rejected).toBe(before.users_by_kyc_status.rejected + 1);
    expect(after.users_by_kyc_status.pending).toBe(before.users_by_kyc_status.pending);
    expect(after.active_sessions).toBe(before.active_sessions + 1);
  });
});
