import fc from 'fast-check';
import type { RouteDefinition } from '@pandora/http-kit';
import { bearer, createAdmin, logIn, registerUser, type AdminSession, type RegisteredUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

/**
 * No input may produce a 5xx (docs/api.md#strict-input): every route of both listeners gets random JSON bodies,
 * random path ids, random query strings and random headers, authenticated and not.
 */
let t: TestUserApi;
let user: RegisteredUser;
beforeAll(async () => {
  t = await startTestUserApi();
  user = await registerUser(t.http());
});
afterAll(() => t.stop());

const hostileString = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    '\u0000',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '%00',
    '\uD800',
    '🦄'.repeat(60),
    'a'.repeat(5000),
    '${jndi:ldap://x}',
  ),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        hostileString,
        fc.constantFrom('email', 'password', 'first_name', 'last_name', 'refresh_token', 'kyc_status', 'role', '__proto__', 'constructor'),
      ),
      tie('value'),
      { maxKeys: 6 },
    ),
  ),
})).value;
const bodyFor = fc.oneof(
  jsonValue,
  fc.record({ email: hostileString, password: hostileString, first_name: hostileString, last_name: hostileString }, { requiredKeys: [] }),
  fc.record(
    { current_password: hostileString, new_password: hostileString, kyc_status: hostileString, refresh_token: hostileString },
    { requiredKeys: [] },
  ),
);

/** A live access token: a new login, or a new account when a run deleted it or changed its password. */
async function freshAccessToken(): Promise<string> {
  try {
    return (await logIn(t.http(), user.email, user.password)).accessToken;
  } catch {
    user = await registerUser(t.http());
    return user.accessToken;
  }
}

function concretePath(route: RouteDefinition<unknown>, id: string): string {
  // Lone surrogates cannot be percent-encoded; a client can only send well-formed UTF-8 or raw bytes.
  return route.path.replace(/:[A-Za-z]+/g, encodeURIComponent(id.toWellFormed()));
}

describe('hostile input never produces a 5xx', () => {
  // Admin routes are fuzzed with an administrator's token: a user's would stop at 403 before any input is read.
  let admin: AdminSession;
  const adminToken = async () => (admin ??= await createAdmin(t)).accessToken;
  const listeners = () => [
    { name: 'public', agent: () => t.http(), routes: t.api.publicApp.routes, token: freshAccessToken },
    { name: 'admin', agent: () => t.admin(), routes: t.api.adminApp.routes, token: adminToken },
  ];

  it('on every route, with random bodies, ids, query strings and credentials', async () => {
    for (const listener of listeners()) {
      for (const route of listener.routes) {
        user = await registerUser(t.http());
        await fc.assert(
          fc.asyncProperty(
            bodyFor,
            hostileString,
            fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), hostileString, { maxKeys: 3 }),
            fc.boolean(),
            async (body, id, query, authenticated) => {
              let request = listener.agent()[route.method](concretePath(route, id)).query(query);
              // A fresh session per run: routes like logout or DELETE /users/me end the one they get.
              if (authenticated) request = request.set(bearer(await listener.token()));
              const response =
                route.method === 'get' || route.method === 'delete'
                  ? await request
                  : await request.set('Content-Type', 'application/json').send(JSON.stringify(body));
              if (response.status >= 500 && !(route.path === '/ready' && response.status === 503)) {
                throw new Error(
                  `${route.method.toUpperCase()} ${route.path} answered ${response.status}: ${JSON.stringify(response.body)}`,
                );
              }
            },
          ),
          { numRuns: 40, seed: 20261120 + route.path.length },
        );
      }
    }
  }, 120_000);

  it('with raw garbage bytes and broken headers', async () => {
    const garbage = [
      Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
      Buffer.from('{"email":"\\ud800"}'),
      Buffer.from('{'.repeat(8000)),
      Buffer.from('[]'.repeat(4000)),
    ];
    for (const body of garbage) {
      for (const path of ['/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/auth/refresh']) {
        const response = await t.http().post(path).set('Content-Type', 'application/json').send(body);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
    }
    const weirdAuth = ['Bearer \u00ff\u00fe', `Bearer ${'a'.repeat(10_000)}`, 'Bearer eyJ.eyJ.', 'Bearer ....'];
    for (const header of weirdAuth) {
      const response = await t.http().get('/api/v1/users/me').set('Authorization', header);
      expect(response.status).toBe(401);
    }
  });
});
