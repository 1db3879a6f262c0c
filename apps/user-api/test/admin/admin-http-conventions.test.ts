import { randomUUID } from 'node:crypto';
import { users } from '@pandora/data-access';
import { bearer, createAdmin, expectErrorEnvelope, registerUser, type AdminSession, type RegisteredUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * The admin listener follows the same HTTP conventions as the public one (docs/api.md: "on both
 * listeners", and docs/observability.md): it is a second express app, so each convention is checked on it directly
 * rather than assumed from http-conventions.test.ts.
 */
let t: TestUserApi;
let admin: AdminSession;
let user: RegisteredUser;
beforeAll(async () => {
  t = await startTestUserApi();
  admin = await createAdmin(t);
  user = await registerUser(t.http());
});
afterAll(() => t.stop());

const OVERSIZED = 'x'.repeat(17 * 1024);

describe('operational endpoints on the admin port', () => {
  it('serves /health and /ready with the status of each dependency', async () => {
    expect((await t.admin().get('/health')).body).toEqual({ status: 'ok' });
    const ready = await t.admin().get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up' } });
  });

  it('serves Prometheus metrics that count admin requests by route pattern, never by raw id or path', async () => {
    const unknownId = randomUUID();
    await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)).expect(200);
    await t.admin().get(`/api/v1/admin/users/${unknownId}`).set(bearer(admin.accessToken)).expect(404);
    await t.admin().get('/api/v1/admin/no-such-thing-42').expect(404);
    const metrics = await t.admin().get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toContain('# TYPE http_requests_total counter');
    expect(metrics.text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(metrics.text).toMatch(/^http_requests_total\{method="GET",route="\/api\/v1\/admin\/users\/:id",status_code="200"\} [1-9]/m);
    expect(metrics.text).toMatch(/^http_requests_total\{method="GET",route="\/api\/v1\/admin\/users\/:id",status_code="404"\} [1-9]/m);
    expect(metrics.text).toMatch(
      /^http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/v1\/admin\/users\/:id",status_code="200"\} [1-9]/m,
    );
    for (const raw of [user.id, unknownId, admin.id, 'no-such-thing-42']) expect(metrics.text).not.toContain(raw);
  });
});

describe('HTTP conventions on the admin port', () => {
  it('answers unknown routes with a 404 NOT_FOUND envelope and echoes a sane X-Request-ID', async () => {
    const response = await t.admin().get('/api/v1/admin/nothing-here').set('X-Request-ID', 'admin-req.7_B');
    expect(response.status).toBe(404);
    expectErrorEnvelope(response.body, 'NOT_FOUND');
    expect(response.headers['x-request-id']).toBe('admin-req.7_B');
    expect(response.body.error.request_id).toBe('admin-req.7_B');
  });

  it.each([
    ['delete', '/api/v1/admin/auth/login', 'POST'],
    ['post', '/api/v1/admin/users/:id', 'DELETE, GET, HEAD'],
    ['get', '/api/v1/admin/users/:id/kyc', 'PATCH, PUT'],
    ['put', '/api/v1/admin/stats', 'GET, HEAD'],
  ] as const)('answers %s %s with 405 METHOD_NOT_ALLOWED and Allow: %s', async (method, path, allow) => {
    const response = await t.admin()[method](path.replace(':id', user.id)).set(bearer(admin.accessToken));
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expectErrorEnvelope(response.body, 'METHOD_NOT_ALLOWED');
  });

  it('sets the security headers, no X-Powered-By, and no-store on the admin login answer', async () => {
    const response = await t.admin().post('/api/v1/admin/auth/login').send({ email: admin.email, password: admin.password });
    expect(response.status).toBe(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('sets the same headers on admin data and on errors', async () => {
    for (const response of [
      await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken)),
      await t.admin().get('/api/v1/admin/stats'),
    ]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('rejects a body over 16 KiB with 413 PAYLOAD_TOO_LARGE, before and after authentication', async () => {
    const login = await t
      .admin()
      .post('/api/v1/admin/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: admin.email, password: OVERSIZED }));
    expect(login.status).toBe(413);
    expectErrorEnvelope(login.body, 'PAYLOAD_TOO_LARGE');
    const kyc = await t
      .admin()
      .patch(`/api/v1/admin/users/${user.id}/kyc`)
      .set(bearer(admin.accessToken))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ kyc_status: 'verified', padding: OVERSIZED }));
    expect(kyc.status).toBe(413);
    expectErrorEnvelope(kyc.body, 'PAYLOAD_TOO_LARGE');
  });

  it('rejects a non-JSON body with 415 UNSUPPORTED_MEDIA_TYPE and changes nothing', async () => {
    const form = await t
      .admin()
      .post('/api/v1/admin/auth/login')
      .type('form')
      .send(`email=${encodeURIComponent(admin.email)}&password=x`);
    expect(form.status).toBe(415);
    expectErrorEnvelope(form.body, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await t
      .admin()
      .patch(`/api/v1/admin/users/${user.id}/role`)
      .set(bearer(admin.accessToken))
      .set('Content-Type', 'text/plain')
      .send('{"role":"admin"}');
    expect(text.status).toBe(415);
    expectErrorEnvelope(text.body, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await t.rows.one(users, { id: user.id })).role).toBe('user');
  });

  it('answers malformed JSON with 400 INVALID_INPUT', async () => {
    const response = await t
      .admin()
      .put(`/api/v1/admin/users/${user.id}/kyc`)
      .set(bearer(admin.accessToken))
      .set('Content-Type', 'application/json')
      .send('{"kyc_status": "verified",');
    expect(response.status).toBe(400);
    expectErrorEnvelope(response.body, 'INVALID_INPUT');
  });
});

describe('the public port', () => {
  it('has none of the admin routes: 404 NOT_FOUND for every one, even with an admin token', async () => {
    const routes = t.api.adminApp.routes.filter((route) => route.path.startsWith('/api/v1/admin/'));
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const route of routes) {
      const path = route.path.replace(':id', user.id);
      const response = await t.http()[route.method](path).set(bearer(admin.accessToken));
      expect([route.method, route.path, response.status]).toEqual([route.method, route.path, 404]);
      expectErrorEnvelope(response.body, 'NOT_FOUND');
    }
  });
});
