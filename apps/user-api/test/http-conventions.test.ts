import http from 'node:http';
import { sessions, users } from '@pandora/data-access';
import { bearer, expectErrorEnvelope, registerUser, STRONG_PASSWORD, uniqueEmail } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi();
});
afterAll(() => t.stop());

/** A raw request, for bodies and headers supertest would tidy up. */
function raw(options: {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }> {
  const url = new URL(options.path, t.publicUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method, headers: options.headers }, (res) => {
      let data = '';
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data ? JSON.parse(data) : undefined }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

describe('HTTP conventions (docs/api.md)', () => {
  it('answers unknown routes with a 404 NOT_FOUND envelope', async () => {
    const response = await t.http().get('/api/v1/nothing-here');
    expect(response.status).toBe(404);
    expectErrorEnvelope(response.body, 'NOT_FOUND');
  });

  it('answers a wrong method with 405 METHOD_NOT_ALLOWED and an Allow header', async () => {
    const response = await t.http().delete('/api/v1/auth/login');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expectErrorEnvelope(response.body, 'METHOD_NOT_ALLOWED');
    const meResponse = await t.http().post('/api/v1/users/me');
    expect(meResponse.status).toBe(405);
    expect(meResponse.headers.allow).toBe('DELETE, GET, HEAD, PATCH, PUT');
  });

  it('echoes a sane X-Request-ID in the header, the envelope and the log line', async () => {
    const response = await t.http().get('/api/v1/nothing').set('X-Request-ID', 'client-req.42_A');
    expect(response.headers['x-request-id']).toBe('client-req.42_A');
    expect(response.body.error.request_id).toBe('client-req.42_A');
    expect(t.logs).toContainEqual(expect.objectContaining({ message: 'http request', request_id: 'client-req.42_A', status: 404 }));
  });

  it.each(['with spaces', 'x'.repeat(129), 'semi;colon', '<script>'])(
    'replaces an unsafe X-Request-ID %j with a generated one',
    async (value) => {
      const response = await t.http().get('/health').set('X-Request-ID', value);
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it('rejects a body over 16 KiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await t
      .http()
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@b.com', password: 'x'.repeat(17 * 1024) }));
    expect(response.status).toBe(413);
    expectErrorEnvelope(response.body, 'PAYLOAD_TOO_LARGE');
  });

  it('rejects a non-JSON body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const form = await t.http().post('/api/v1/auth/login').type('form').send('email=a@b.com&password=x');
    expect(form.status).toBe(415);
    expectErrorEnvelope(form.body, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await raw({
      method: 'POST',
      path: '/api/v1/auth/register',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"email":"a@b.com"}',
    });
    expect(text.status).toBe(415);
    const utf16 = await raw({
      method: 'POST',
      path: '/api/v1/auth/login',
      headers: { 'Content-Type': 'application/json; charset=utf-16' },
      body: '{}',
    });
    expect(utf16.status).toBe(415);
  });

  it.each([
    ['malformed JSON', '{"email": "a@b.com",'],
    ['a JSON string', '"just a string"'],
    ['a JSON number', '12345'],
    ['a JSON array', '[{"email":"a@b.com","password":"x"}]'],
    ['null', 'null'],
    ['NUL bytes in a value', '{"email":"a\\u0000@b.com","password":"x"}'],
    ['a huge number', '{"email":1e999,"password":"x"}'],
    ['nested objects', '{"email":{"$ne":null},"password":{"$gt":""}}'],
    ['prototype pollution', '{"__proto__":{"admin":true},"email":"a@b.com","password":"x"}'],
  ])('answers %s with 400 INVALID_INPUT', async (_name, body) => {
    const response = await raw({ method: 'POST', path: '/api/v1/auth/login', headers: { 'Content-Type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expectErrorEnvelope(response.body, 'INVALID_INPUT');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('requires a body where the route takes one', async () => {
    const response = await t.http().post('/api/v1/auth/register');
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ field: 'body', message: expect.any(String) }]);
  });

  it('answers a malformed percent-encoding in the path with 400, not 500', async () => {
    const user = await registerUser(t.http());
    const response = await raw({ method: 'DELETE', path: '/api/v1/users/me/sessions/%E0%A4%A', headers: bearer(user.accessToken) });
    expect(response.status).toBe(400);
  });

  it('sets the security headers, no X-Powered-By, and no-store on auth answers', async () => {
    const response = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ email: uniqueEmail(), password: STRONG_PASSWORD, first_name: 'A', last_name: 'B' });
    expect(response.status).toBe(201);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('ignores X-Forwarded-For when TRUST_PROXY is unset (the socket address is recorded)', async () => {
    const email = uniqueEmail();
    await t
      .http()
      .post('/api/v1/auth/register')
      .set('X-Forwarded-For', '203.0.113.9')
      .send({ email, password: STRONG_PASSWORD, first_name: 'A', last_name: 'B' });
    const session = await t.rows.one(sessions, { userId: (await t.rows.one(users, { email })).id });
    expect(session.ipAddress).toBe('127.0.0.1');
  });

  it('honours X-Forwarded-For from a trusted proxy only', async () => {
    const proxied = await startTestUserApi({ env: { TRUST_PROXY: 'loopback' } });
    try {
      const email = uniqueEmail();
      await proxied
        .http()
        .post('/api/v1/auth/register')
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ email, password: STRONG_PASSWORD, first_name: 'A', last_name: 'B' });
      const session = await proxied.rows.one(sessions, { userId: (await proxied.rows.one(users, { email })).id });
      expect(session.ipAddress).toBe('203.0.113.9');
    } finally {
      await proxied.stop();
    }
  });

  it('keeps the admin routes off the public port and the public routes off the admin port', async () => {
    expect((await t.http().get('/api/v1/admin/users')).status).toBe(404);
    expect((await t.admin().post('/api/v1/auth/login').send({ email: 'a@b.com', password: 'x' })).status).toBe(404);
    expect((await t.admin().get('/health')).body).toEqual({ status: 'ok' });
  });

  it('serves /health and /ready, and /metrics on the admin port only', async () => {
    expect((await t.http().get('/health')).body).toEqual({ status: 'ok' });
    expect((await t.http().get('/ready')).body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up' } });
    expect((await t.http().get('/metrics')).status).toBe(404);
    const metrics = await t.admin().get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_requests_total');
    expect(metrics.text).toMatch(/http_requests_total\{method="POST",route="\/api\/v1\/auth\/register",status_code="201"\}/);
  });
});
