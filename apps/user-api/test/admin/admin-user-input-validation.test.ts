import { randomUUID } from 'node:crypto';
import { users } from '@pandora/data-access';
import { bearer, createAdmin, expectErrorEnvelope, registerUser, type AdminSession } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * Input checks of every admin route that names a user (docs/api.md#strict-input): a malformed id is the
 * caller's mistake (400 INVALID_INPUT naming `id`), a well-formed id nobody has is 404
 * USER_NOT_FOUND, and a bad body names the offending field. None of them may reach the database
 * as a 5xx.
 */
let t: TestUserApi;
let admin: AdminSession;
beforeAll(async () => {
  t = await startTestUserApi();
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

type Method = 'get' | 'patch' | 'put' | 'delete' | 'post';

/** Every admin route with `:id`, with a body that is valid so that only the id can be wrong. */
const ROUTES_WITH_USER_ID: Array<{ method: Method; path: string; body?: object }> = [
  { method: 'get', path: '/api/v1/admin/users/:id' },
  { method: 'patch', path: '/api/v1/admin/users/:id/kyc', body: { kyc_status: 'verified' } },
  { method: 'put', path: '/api/v1/admin/users/:id/kyc', body: { kyc_status: 'verified' } },
  { method: 'patch', path: '/api/v1/admin/users/:id/role', body: { role: 'admin' } },
  { method: 'put', path: '/api/v1/admin/users/:id/role', body: { role: 'admin' } },
  { method: 'delete', path: '/api/v1/admin/users/:id' },
  { method: 'get', path: '/api/v1/admin/users/:id/sessions' },
  { method: 'delete', path: '/api/v1/admin/users/:id/sessions' },
  { method: 'post', path: '/api/v1/admin/users/:id/unlock' },
  { method: 'post', path: '/api/v1/admin/users/:id/unfreeze' },
  { method: 'delete', path: '/api/v1/admin/users/:id/mfa' },
];

const MALFORMED_IDS = ['123', 'not-a-uuid', `${randomUUID()}0`, "1' OR '1'='1", '00000000-0000-0000-0000-00000000000g'];

function call(method: Method, path: string, body?: object) {
  const request = t.admin()[method](path).set(bearer(admin.accessToken));
  return body === undefined ? request : request.send(body);
}

const label = (route: { method: Method; path: string }) => `${route.method.toUpperCase()} ${route.path}`;

describe('admin routes that take a user id', () => {
  it('are all in this table, so a new one cannot skip these checks', () => {
    const served = t.api.adminApp.routes.filter((route) => route.path.includes(':id')).map(label);
    expect(ROUTES_WITH_USER_ID.map(label).sort()).toEqual(served.sort());
  });

  describe.each(ROUTES_WITH_USER_ID)('$method $path', ({ method, path, body }) => {
    it.each(MALFORMED_IDS)('answers the malformed id %j with 400 INVALID_INPUT naming id', async (id) => {
      const response = await call(method, path.replace(':id', encodeURIComponent(id)), body);
      expect(response.status).toBe(400);
      expectErrorEnvelope(response.body, 'INVALID_INPUT');
      expect(response.body.error.details).toEqual([{ field: 'id', message: expect.any(String) }]);
    });

    it('answers an unknown well-formed id with 404 USER_NOT_FOUND and no details', async () => {
      const response = await call(method, path.replace(':id', randomUUID()), body);
      expect(response.status).toBe(404);
      expectErrorEnvelope(response.body, 'USER_NOT_FOUND');
      expect(response.body.error.details).toBeUndefined();
    });
  });
});

describe('bodies of KYC decisions and role changes', () => {
  const BAD_BODIES: Array<{ route: 'kyc' | 'role'; name: string; body?: unknown; field: string }> = [
    { route: 'kyc', name: 'an unknown status', body: { kyc_status: 'approved' }, field: 'kyc_status' },
    { route: 'kyc', name: 'a status of the wrong type', body: { kyc_status: 1 }, field: 'kyc_status' },
    { route: 'kyc', name: 'a null status', body: { kyc_status: null }, field: 'kyc_status' },
    { route: 'kyc', name: 'no status', body: {}, field: 'kyc_status' },
    { route: 'kyc', name: 'an unknown field', body: { kyc_status: 'verified', note: 'looks fine' }, field: 'note' },
    { route: 'kyc', name: 'a role smuggled into a KYC decision', body: { kyc_status: 'verified', role: 'admin' }, field: 'role' },
    { route: 'kyc', name: 'no body at all', field: 'body' },
    { route: 'role', name: 'an unknown role', body: { role: 'root' }, field: 'role' },
    { route: 'role', name: 'a role in capitals', body: { role: 'ADMIN' }, field: 'role' },
    { route: 'role', name: 'a role of the wrong type', body: { role: ['admin'] }, field: 'role' },
    { route: 'role', name: 'no role', body: {}, field: 'role' },
    { route: 'role', name: 'an unknown field', body: { role: 'admin', kyc_status: 'verified' }, field: 'kyc_status' },
    { route: 'role', name: 'no body at all', field: 'body' },
  ];
  const cases = BAD_BODIES.flatMap((bad) => (['patch', 'put'] as const).map((method) => ({ ...bad, method })));

  it.each(cases)('$method /$route refuses $name with 400 naming $field, changing nothing', async ({ route, method, body, field }) => {
    const user = await registerUser(t.http());
    const request = t.admin()[method](`/api/v1/admin/users/${user.id}/${route}`).set(bearer(admin.accessToken));
    const response = await (body === undefined ? request : request.send(body as object));
    expect(response.status).toBe(400);
    expectErrorEnvelope(response.body, 'INVALID_INPUT');
    expect(response.body.error.details).toEqual([{ field, message: expect.any(String) }]);
    expect(await t.rows.one(users, { id: user.id })).toMatchObject({ role: 'user', kycStatus: 'pending' });
  });
});
