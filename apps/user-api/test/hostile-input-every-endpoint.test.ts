import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type request from 'supertest';
import { servedEndpoints } from './support/express-endpoints';
import { bearer, createAdmin, expectErrorEnvelope, logIn, registerUser, type AdminSession, type RegisteredUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

/**
 * The inputs that once produced a 5xx (docs/security.md#hostile-input), generated for every endpoint
 * both listeners really serve (read from express's router stack, not from our route list), with and
 * without an Idempotency-Key: deep nesting, lone surrogates, huge numbers, out-of-range dates, wrong
 * types, prototype keys and NUL bytes. No answer may be a 5xx and no error-level line may be logged.
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

const FIELDS = [
  'email',
  'password',
  'first_name',
  'last_name',
  'refresh_token',
  'current_password',
  'new_password',
  'mfa_code',
  'mfa_token',
  'code',
  'kyc_status',
  'role',
  'reason',
  'from',
  'to',
  'limit',
  'cursor',
  'user_id',
];
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Raw JSON texts: written by hand, since JSON.stringify cannot produce some of them (huge literals, `__proto__` keys). */
const hostileJsonValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '"\\ud800"',
    '"Ada\\udfff Lovelace"',
    '"a\\ud800@example.com"',
    '"\\u0000"',
    '"ada\\u0000@example.com"',
    '1e308',
    '-1e308',
    '1e400',
    '18446744073709551616',
    '9'.repeat(400),
    '0.0000000000000000000000000001',
    '"0000-01-01T00:00:00Z"',
    '"-000001-01-01T00:00:00Z"',
    '"+275760-09-13T00:00:00Z"',
    '"9999-12-31T23:59:59-23:59"',
    '[]',
    '{}',
    'true',
    'null',
    '[[[[["deep"]]]]]',
    '{"__proto__":{"role":"admin"}}',
  ),
  fc.string({ maxLength: 40 }).map((text) => JSON.stringify(text)),
  fc.integer().map(String),
);

const hostileBody: fc.Arbitrary<string> = fc.oneof(
  // Nested far beyond any body of the API, in arrays and in objects (~10 KB).
  fc.integer({ min: 33, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 33, max: 1500 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc
    .array(fc.tuple(fc.constantFrom(...FIELDS, ...PROTOTYPE_KEYS, '\\ud800'), hostileJsonValue), { minLength: 1, maxLength: 5 })
    .map((entries) => `{${entries.map(([key, value]) => `"${key}":${value}`).join(',')}}`),
);

const hostileQueryValue: fc.Arbitrary<string> = fc.constantFrom(
  '0000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '9999-12-31T23:59:59-23:59',
  '1e400',
  '18446744073709551616',
  '-1',
  '%ED%A0%80',
  '%00',
  'a%00b',
  '__proto__',
);

const hostilePathId: fc.Arbitrary<string> = fc.constantFrom(
  randomUUID(),
  '00000000-0000-0000-0000-000000000000',
  '%ED%A0%80',
  '%00',
  '__proto__',
  '9'.repeat(400),
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
);

const freshUserToken = async (): Promise<string> => {
  try {
    return (await logIn(t.http(), user.email, user.password)).accessToken;
  } catch {
    user = await registerUser(t.http());
    return user.accessToken;
  }
};
const freshAdminToken = async (): Promise<string> => {
  const response = await t.admin().post('/api/v1/admin/auth/login').send({ email: admin.email, password: admin.password });
  return response.status === 200 ? (response.body.access_token as string) : (admin = await createAdmin(t)).accessToken;
};

function errorLinesSince(index: number) {
  return t.logs.slice(index).filter((line) => line.level === 'error');
}

describe('the inputs that produced a 5xx', () => {
  it.each(['/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/auth/refresh'])(
    'refuses a 5,000-level nested body with an Idempotency-Key at %s with 400',
    async (path) => {
      const response = await t
        .http()
        .post(path)
        .set('Content-Type', 'application/json')
        .set('Idempotency-Key', randomUUID())
        .send(`${'['.repeat(5000)}${']'.repeat(5000)}`);
      expect(response.status).toBe(400);
      expectErrorEnvelope(response.body, 'INVALID_INPUT');
      expect(response.body.error.details).toEqual([{ field: 'body', message: expect.stringMatching(/Nested/) }]);
    },
  );

  it('refuses a lone surrogate in a name and in the login email with 400, naming the field', async () => {
    const register = await t
      .http()
      .post('/api/v1/auth/register')
      .set('Content-Type', 'application/json')
      .send('{"email":"lone.surrogate@example.com","password":"correct horse battery staple","first_name":"Ada\\ud800","last_name":"L"}');
    expect(register.status).toBe(400);
    expect(register.body.error.details).toEqual([{ field: 'first_name', message: expect.any(String) }]);
    const login = await t
      .http()
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email":"a\\ud800@example.com","password":"whatever it is"}');
    expect(login.status).toBe(400);
    expect(login.body.error.details).toEqual([{ field: 'email', message: expect.any(String) }]);
  });

  it('refuses an audit-log query from year 0 with 400', async () => {
    const response = await t.admin().get('/api/v1/admin/audit-logs?from=0000-01-01T00:00:00Z').set(bearer(admin.accessToken));
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ field: 'from', message: expect.stringMatching(/between 1970/) }]);
  });
});

describe('generated hostile input on every served endpoint', () => {
  const listeners = () => [
    { name: 'public', app: t.api.publicApp.app, agent: () => t.http(), token: freshUserToken },
    { name: 'admin', app: t.api.adminApp.app, agent: () => t.admin(), token: freshAdminToken },
  ];

  it.each([
    ['without', false],
    ['with', true],
  ])(
    'never answers 5xx nor logs an error, %s an Idempotency-Key',
    async (_name, withKey) => {
      const logsBefore = t.logs.length;
      for (const listener of listeners()) {
        const endpoints = servedEndpoints(listener.app).filter((endpoint) => !endpoint.startsWith('USE ') && !endpoint.startsWith('HEAD '));
        expect(endpoints.length).toBeGreaterThan(5);
        for (const endpoint of endpoints) {
          const [method, pattern] = endpoint.split(' ') as [string, string];
          await fc.assert(
            fc.asyncProperty(
              hostileBody,
              hostilePathId,
              fc.dictionary(fc.constantFrom(...FIELDS, ...PROTOTYPE_KEYS), hostileQueryValue, { maxKeys: 3 }),
              fc.boolean(),
              async (body, id, query, authenticated) => {
                const queryString = Object.entries(query)
                  .map(([key, value]) => `${key}=${value}`)
                  .join('&');
                const url = `${pattern.replace(/\{[A-Za-z]+\}/g, id)}${queryString ? `?${queryString}` : ''}`;
                const agent = listener.agent();
                let call: request.Test = agent[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](url);
                if (authenticated) call = call.set(bearer(await listener.token()));
                if (withKey) call = call.set('Idempotency-Key', randomUUID());
                const response = method === 'GET' ? await call : await call.set('Content-Type', 'application/json').send(body);
                const outage = pattern === '/ready' && response.status === 503;
                if (response.status >= 500 && !outage) {
                  throw new Error(`${method} ${url} answered ${response.status}: ${JSON.stringify(response.body)}`);
                }
              },
            ),
            { numRuns: 10, seed: 20261202 + endpoint.length + (withKey ? 1 : 0) },
          );
        }
      }
      expect(errorLinesSince(logsBefore)).toEqual([]);
    },
    240_000,
  );
});
