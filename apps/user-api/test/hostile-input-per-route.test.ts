import { randomUUID } from 'node:crypto';
import { sessions, users } from '@pandora/data-access';
import type request from 'supertest';
import { bearer, registerUser, type RegisteredUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

/**
 * The input rules of docs/api.md, route by route, with the exact answer each hostile request must get —
 * and proof that the request changed nothing. (hostile-input.test.ts fuzzes every route for "never
 * a 5xx"; this file pins the status and code.)
 */
let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi();
});
afterAll(() => t.stop());

interface RouteUnderTest {
  method: 'patch' | 'put' | 'post';
  path: string;
  authenticated: boolean;
  validBody: (user: RegisteredUser) => Record<string, unknown>;
  unknownFields: Record<string, unknown>[];
  /** Fields holding names (docs/accounts.md#field-rules: no control characters). */
  nameFields: string[];
}

const ROUTES: RouteUnderTest[] = [
  {
    method: 'patch',
    path: '/api/v1/users/me',
    authenticated: true,
    validBody: () => ({ first_name: 'Grace' }),
    unknownFields: [{ role: 'admin' }, { kyc_status: 'verified' }, { deleted_at: null }, { id: randomUUID() }],
    nameFields: ['first_name', 'last_name'],
  },
  {
    method: 'put',
    path: '/api/v1/users/me',
    authenticated: true,
    validBody: () => ({ first_name: 'Grace', last_name: 'Hopper' }),
    unknownFields: [{ role: 'admin' }, { email: 'other@example.com' }, { deleted_at: '2026-01-01T00:00:00.000Z' }],
    nameFields: ['first_name', 'last_name'],
  },
  {
    method: 'patch',
    path: '/api/v1/users/me/kyc',
    authenticated: true,
    validBody: () => ({ kyc_status: 'pending' }),
    unknownFields: [{ role: 'admin' }, { user_id: randomUUID() }, { verified: true }],
    nameFields: [],
  },
  {
    method: 'post',
    path: '/api/v1/users/me/password',
    authenticated: true,
    validBody: (user) => ({ current_password: user.password, new_password: 'a brand new passphrase' }),
    unknownFields: [{ email: 'other@example.com' }, { confirm_password: 'a brand new passphrase' }, { role: 'admin' }],
    nameFields: [],
  },
  {
    method: 'post',
    path: '/api/v1/auth/refresh',
    authenticated: false,
    validBody: (user) => ({ refresh_token: user.refreshToken }),
    unknownFields: [{ user_id: randomUUID() }, { session_id: randomUUID() }, { access_token: 'eyJ.eyJ.x' }],
    nameFields: [],
  },
];

interface HostileCase {
  name: string;
  send: (req: request.Test, user: RegisteredUser) => request.Test;
  status: number;
  code: string;
  /** The field `details` must name, for 400s. */
  field?: string;
}

function casesFor(route: RouteUnderTest): HostileCase[] {
  const json = (body: (user: RegisteredUser) => unknown) => (req: request.Test, user: RegisteredUser) =>
    req.set('Content-Type', 'application/json').send(JSON.stringify(body(user)));
  return [
    ...route.unknownFields.map((extra) => ({
      name: `unknown field ${Object.keys(extra).join()}`,
      send: json((user) => ({ ...route.validBody(user), ...extra })),
      status: 400,
      code: 'INVALID_INPUT',
      field: Object.keys(extra)[0],
    })),
    {
      name: 'a body over 16 KiB',
      send: json((user) => ({ ...route.validBody(user), padding: 'x'.repeat(17 * 1024) })),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'a text/plain body',
      send: (req) => req.set('Content-Type', 'text/plain').send('first_name=Grace'),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a form-encoded body',
      send: (req, user) => req.type('form').send(route.validBody(user) as Record<string, string>),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'malformed JSON',
      send: (req) => req.set('Content-Type', 'application/json').send('{"first_name": "Grace",'),
      status: 400,
      code: 'INVALID_INPUT',
      field: 'body',
    },
    ...route.nameFields.map((field) => ({
      name: `a NUL byte in ${field}`,
      send: json((user) => ({ ...route.validBody(user), [field]: 'Gra\u0000ce' })),
      status: 400,
      code: 'INVALID_INPUT',
      field,
    })),
  ];
}

async function accountState(userId: string) {
  const row = await t.rows.one(users, { id: userId });
  const activeSessions = await t.rows.count(sessions, { userId, revokedAt: null });
  return { row, activeSessions };
}

describe.each(ROUTES)('$method $path', (route) => {
  it.each(casesFor(route).map((hostile) => [hostile.name, hostile] as const))(
    'refuses %s with the documented answer and changes nothing',
    async (_name, hostile) => {
      const user = await registerUser(t.http());
      const before = await accountState(user.id);
      let req = t.http()[route.method](route.path);
      if (route.authenticated) req = req.set(bearer(user.accessToken));
      const response = await hostile.send(req, user);

      expect(response.status).toBe(hostile.status);
      expect(response.body.error).toMatchObject({ code: hostile.code, request_id: response.headers['x-request-id'] });
      if (hostile.field) expect(response.body.error.details).toContainEqual({ field: hostile.field, message: expect.any(String) });
      expect(await accountState(user.id)).toEqual(before);
      // The refresh token was neither rotated nor burnt by the refused request.
      if (route.path === '/api/v1/auth/refresh') expect((await t.http().post(route.path).send(route.validBody(user))).status).toBe(200);
    },
  );
});
