import { randomUUID } from 'node:crypto';
import { auditLogs } from '@pandora/data-access';
import { bearer, createAdmin, expectErrorEnvelope, registerUser, type AdminSession, type RegisteredUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * Every admin route: 401 without a valid token, 403 for a non-admin — before any input validation,
 * so a non-admin learns nothing from a 400 — and admin routes exist on the admin port only.
 */
let t: TestUserApi;
let user: RegisteredUser;
let admin: AdminSession;
beforeAll(async () => {
  t = await startTestUserApi();
  user = await registerUser(t.http());
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

/** Both login steps are how an administrator gets a token: open to anyone. */
const LOGIN_ROUTES = ['/api/v1/admin/auth/login', '/api/v1/admin/auth/mfa/verify'];
const adminRoutes = () =>
  t.api.adminApp.routes.filter((route) => route.path.startsWith('/api/v1/admin/') && !LOGIN_ROUTES.includes(route.path));

function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const request = t.admin()[method as 'get'](path).set(headers);
  return body === undefined
    ? request
    : request.set('Content-Type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));
}

describe('admin authorization', () => {
  it('covers every admin route of docs/api.md', () => {
    expect(
      adminRoutes()
        .map((route) => `${route.method.toUpperCase()} ${route.path}`)
        .sort(),
    ).toEqual(
      [
        'GET /api/v1/admin/users',
        'GET /api/v1/admin/users/:id',
        'PATCH /api/v1/admin/users/:id/kyc',
        'PUT /api/v1/admin/users/:id/kyc',
        'PATCH /api/v1/admin/users/:id/role',
        'PUT /api/v1/admin/users/:id/role',
        'DELETE /api/v1/admin/users/:id',
        'GET /api/v1/admin/users/:id/sessions',
        'POST /api/v1/admin/users/:id/unlock',
        'POST /api/v1/admin/users/:id/unfreeze',
        'DELETE /api/v1/admin/users/:id/sessions',
        'DELETE /api/v1/admin/users/:id/mfa',
        'GET /api/v1/admin/audit-logs',
        'GET /api/v1/admin/stats',
      ].sort(),
    );
  });

  it('answers 401 without a token and with a bad one, on every admin route', async () => {
    for (const route of adminRoutes()) {
      const path = route.path.replace(':id', user.id);
      for (const headers of [{}, bearer('not-a-jwt'), bearer(user.refreshToken)]) {
        const response = await call(route.method, path, headers);
        expect([route.path, response.status]).toEqual([route.path, 401]);
      }
    }
  });

  it('answers 403 to a non-admin on every admin route, even with an invalid id, query or body', async () => {
    for (const route of adminRoutes()) {
      for (const [path, body] of [
        [route.path.replace(':id', user.id), { role: 'admin' }],
        [route.path.replace(':id', 'not-a-uuid') + '?limit=abc&unknown=1', '{"malformed json'],
      ] as const) {
        const response = await call(
          route.method,
          path,
          bearer(user.accessToken),
          route.method === 'get' || route.method === 'delete' ? undefined : body,
        );
        expect([route.method, route.path, response.status]).toEqual([route.method, route.path, 403]);
        expectErrorEnvelope(response.body, 'FORBIDDEN');
        expect(response.body.error.details).toBeUndefined();
      }
    }
  });

  it('lets an admin through to validation (400 with details) and to 404 for unknown ids', async () => {
    const invalid = await call('get', '/api/v1/admin/users?limit=0', bearer(admin.accessToken));
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details).toEqual([{ field: 'limit', message: expect.any(String) }]);
    const unknown = await call('get', `/api/v1/admin/users/${randomUUID()}`, bearer(admin.accessToken));
    expect(unknown.status).toBe(404);
    expectErrorEnvelope(unknown.body, 'USER_NOT_FOUND');
  });

  it('keeps the admin API off the public port, even for an admin', async () => {
    expect((await t.http().get('/api/v1/admin/users').set(bearer(admin.accessToken))).status).toBe(404);
    expect((await t.http().post('/api/v1/admin/auth/login').send({ email: admin.email, password: admin.password })).status).toBe(404);
  });
});

describe('POST /api/v1/admin/auth/login', () => {
  it('logs an administrator in', async () => {
    const response = await t.admin().post('/api/v1/admin/auth/login').send({ email: admin.email.toUpperCase(), password: admin.password });
    expect(response.status).toBe(200);
    expect(response.body.user.role).toBe('admin');
  });

  it('gives a non-admin exactly the wrong-password answer', async () => {
    const nonAdmin = await t.admin().post('/api/v1/admin/auth/login').send({ email: user.email, password: user.password });
    const wrong = await t.admin().post('/api/v1/admin/auth/login').send({ email: admin.email, password: 'definitely wrong' });
    expect(nonAdmin.status).toBe(401);
    expect({ ...nonAdmin.body.error, request_id: null }).toEqual({ ...wrong.body.error, request_id: null });
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'auth.login.failed' })).toMatchObject({
      failureReason: 'insufficient_role',
    });
  });
});
