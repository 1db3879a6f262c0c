import { z } from 'zod';
import { adminUserDtoSchema } from '../../src/http/schemas/admin.schemas';
import { sessionDtoSchema } from '../../src/http/schemas/dto.schemas';
import { bearer, createAdmin, logIn, registerUser, type AdminSession } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The admin replies match, field for field, the zod schemas the OpenAPI document is generated from
 * (docs/api.md: AdminUser, Session): strict parsing, so an undocumented extra field fails as surely
 * as a missing or mistyped one.
 */
let t: TestUserApi;
let admin: AdminSession;
beforeAll(async () => {
  t = await startTestUserApi();
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

const strictAdminUser = adminUserDtoSchema.strict();
const strictSessionList = z.strictObject({ sessions: z.array(sessionDtoSchema.strict()) });

function expectAdminUser(body: unknown, expected: Partial<z.infer<typeof adminUserDtoSchema>>) {
  const parsed = strictAdminUser.safeParse(body);
  expect(parsed.error?.issues).toBeUndefined();
  expect(parsed.data).toMatchObject(expected);
}

describe('AdminUser replies', () => {
  it('GET /admin/users/:id matches AdminUser for an active and for a deleted user', async () => {
    const user = await registerUser(t.http(), { first_name: 'Shape', last_name: 'Checked' });
    const active = await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken));
    expect(active.status).toBe(200);
    expectAdminUser(active.body, {
      id: user.id,
      email: user.email,
      first_name: 'Shape',
      last_name: 'Checked',
      role: 'user',
      kyc_status: 'pending',
      deleted_at: null,
      is_active: true,
      locked_until: null,
    });
    await t.http().delete('/api/v1/users/me').set(bearer(user.accessToken)).expect(204);
    const deleted = await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken));
    expectAdminUser(deleted.body, { id: user.id, is_active: false });
    expect(Date.parse(deleted.body.deleted_at)).not.toBeNaN();
  });

  it.each(['patch', 'put'] as const)('%s /admin/users/:id/kyc answers an AdminUser', async (method) => {
    const user = await registerUser(t.http());
    const response = await t
      .admin()
      [method](`/api/v1/admin/users/${user.id}/kyc`)
      .set(bearer(admin.accessToken))
      .send({ kyc_status: 'verified' });
    expect(response.status).toBe(200);
    expectAdminUser(response.body, {
      id: user.id,
      email: user.email,
      kyc_status: 'verified',
      is_active: true,
      deleted_at: null,
      locked_until: null,
    });
  });

  it.each(['patch', 'put'] as const)('%s /admin/users/:id/role answers an AdminUser', async (method) => {
    const user = await registerUser(t.http());
    const response = await t.admin()[method](`/api/v1/admin/users/${user.id}/role`).set(bearer(admin.accessToken)).send({ role: 'admin' });
    expect(response.status).toBe(200);
    expectAdminUser(response.body, {
      id: user.id,
      email: user.email,
      role: 'admin',
      is_active: true,
      deleted_at: null,
      locked_until: null,
    });
  });
});

describe('Session replies', () => {
  it('GET /admin/users/:id/sessions matches SessionList, never a token, and no session is "current" for the admin', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    const response = await t.admin().get(`/api/v1/admin/users/${user.id}/sessions`).set(bearer(admin.accessToken));
    expect(response.status).toBe(200);
    const parsed = strictSessionList.safeParse(response.body);
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data?.sessions.map((session) => [session.id, session.current])).toEqual([
      [second.sessionId, false],
      [user.sessionId, false],
    ]);
    expect(JSON.stringify(response.body)).not.toContain(user.refreshToken);
  });
});
