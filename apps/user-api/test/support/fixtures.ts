import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type request from 'supertest';

export const STRONG_PASSWORD = 'correct horse battery staple';

export interface RegisteredUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${randomUUID().slice(0, 8)}@example.com`;
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export function sessionIdOf(accessToken: string): string {
  return JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString()).sid;
}

export async function registerUser(
  http: request.Agent,
  overrides: Partial<{ email: string; password: string; first_name: string; last_name: string }> = {},
): Promise<RegisteredUser> {
  const body = { email: uniqueEmail(), password: STRONG_PASSWORD, first_name: 'Ada', last_name: 'Lovelace', ...overrides };
  const response = await http.post('/api/v1/auth/register').send(body);
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    id: response.body.user.id,
    email: response.body.user.email,
    password: body.password,
    accessToken: response.body.access_token,
    refreshToken: response.body.refresh_token,
    sessionId: sessionIdOf(response.body.access_token),
  };
}

export async function logIn(http: request.Agent, email: string, password: string): Promise<RegisteredUser> {
  const response = await http.post('/api/v1/auth/login').send({ email, password });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    id: response.body.user.id,
    email,
    password,
    accessToken: response.body.access_token,
    refreshToken: response.body.refresh_token,
    sessionId: sessionIdOf(response.body.access_token),
  };
}

/** Polls until `check` passes or `withinMs` runs out; returns how long it took. */
export async function eventually(check: () => Promise<boolean>, withinMs: number, stepMs = 50): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
}

export function expectErrorEnvelope(body: unknown, code: string): void {
  expect(body).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }),
  });
}

/** A JWT_SIGNING_KEYS value with one fresh ES256 key, for instances that must share keys. */
export function sharedSigningKeys(kid = 'test-shared'): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return JSON.stringify([
    { kid, alg: 'ES256', status: 'active', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
  ]);
}

export interface AdminSession {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  sessionId: string;
}

/** An administrator created through the bootstrap use case and logged in through the admin API. */
export async function createAdmin(t: {
  api: {
    useCases: {
      bootstrapAdmin: {
        execute: (input: { email: string; firstName: string; lastName: string; password: () => Promise<string> }) => Promise<unknown>;
      };
    };
  };
  admin: () => request.Agent;
}): Promise<AdminSession> {
  const email = uniqueEmail('admin');
  const password = 'an administrator passphrase';
  await t.api.useCases.bootstrapAdmin.execute({ email, firstName: 'Grace', lastName: 'Hopper', password: async () => password });
  const response = await t.admin().post('/api/v1/admin/auth/login').send({ email, password });
  if (response.status !== 200) throw new Error(`admin login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    id: response.body.user.id,
    email,
    password,
    accessToken: response.body.access_token,
    sessionId: sessionIdOf(response.body.access_token),
  };
}
