import { randomUUID } from 'node:crypto';
import { auditLogs } from '@pandora/data-access';
import { SignJWT } from 'jose';
import { bearer, registerUser, STRONG_PASSWORD, uniqueEmail, type RegisteredUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * docs/observability.md#security-events: at LOG_LEVEL=error (prod's level) the access lines are gone, but every refusal that
 * matters to security still leaves a line: failed logins, bad or revoked tokens, access denied,
 * rate limits. Each line names the request, the route and the client, and never an email in clear,
 * a password or a token.
 */
let t: TestUserApi;
let ipCounter = 10;
const nextIp = () => `203.0.113.${ipCounter++}`;

beforeAll(async () => {
  t = await startTestUserApi({
    env: {
      LOG_LEVEL: 'error',
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS_PER_WINDOW: '1000',
      RATE_LIMIT_USER_REQUESTS_PER_WINDOW: '1000',
      RATE_LIMIT_WINDOW_DURATION: '60s',
      RATE_LIMIT_LOGIN_REQUESTS: '2',
      RATE_LIMIT_LOGIN_WINDOW: '60s',
    },
  });
});
afterAll(() => t.stop());

function linesOf(requestId: string): Array<Record<string, unknown>> {
  return t.logs.filter((line) => line.request_id === requestId);
}

function securityLine(requestId: string, event: string): Record<string, unknown> {
  const found = linesOf(requestId).filter((line) => line.security_event === event);
  expect(found).toHaveLength(1);
  return found[0] as Record<string, unknown>;
}

async function register(): Promise<RegisteredUser> {
  return registerUser(t.http().set('X-Forwarded-For', nextIp()));
}

function expectNoSecretsOf(user: RegisteredUser): void {
  const raw = t.rawLogs();
  expect(raw).not.toContain(user.email);
  expect(raw).not.toContain(user.password);
  expect(raw).not.toContain(user.accessToken);
  expect(raw).not.toContain(user.refreshToken);
}

describe('security lines at LOG_LEVEL=error', () => {
  it('drops the access lines (so the lines below are there despite the level, not because of it)', async () => {
    const response = await t.http().get('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(linesOf(response.headers['x-request-id'] as string)).toEqual([]);
  });

  it('records a wrong password with the reason, the masked email, the route and the client', async () => {
    const user = await register();
    const ip = nextIp();
    const response = await t
      .http()
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: user.email, password: 'not the password at all' });
    expect(response.status).toBe(401);
    const requestId = response.headers['x-request-id'] as string;

    const failed = securityLine(requestId, 'login_failed');
    expect(failed).toMatchObject({ level: 'warn', reason: 'invalid_password', user_id: user.id, ip_address: ip, request_id: requestId });
    expect(failed.email).toBe(`${user.email[0]}***@example.com`);
    const refused = securityLine(requestId, 'authentication_failed');
    expect(refused).toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
      method: 'POST',
      route: '/api/v1/auth/login',
      ip_address: ip,
    });
    expect(t.rawLogs()).not.toContain('not the password at all');
    expectNoSecretsOf(user);
  });

  it('records a login with an unknown email without the email in clear', async () => {
    const email = uniqueEmail('nobody');
    const ip = nextIp();
    const response = await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password: STRONG_PASSWORD });
    expect(response.status).toBe(401);
    const requestId = response.headers['x-request-id'] as string;

    expect(securityLine(requestId, 'login_failed')).toMatchObject({
      reason: 'unknown_email',
      user_id: null,
      email: `${email[0]}***@example.com`,
      ip_address: ip,
    });
    expect(securityLine(requestId, 'authentication_failed')).toMatchObject({ route: '/api/v1/auth/login', ip_address: ip });
    expect(t.rawLogs()).not.toContain(email);
  });

  it('keeps a password typed into the email field out of the audit row and the log line', async () => {
    const typedIntoEmail = `Hunter2 secret ${randomUUID()}`;
    const response = await t
      .http()
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', nextIp())
      .send({ email: typedIntoEmail, password: 'x' });
    expect(response.status).toBe(401);
    const requestId = response.headers['x-request-id'] as string;

    expect(securityLine(requestId, 'login_failed')).toMatchObject({ reason: 'unknown_email', email: 'invalid-identifier' });
    expect(t.rawLogs()).not.toContain(typedIntoEmail.toLowerCase());
    const rows = await t.rows.find(auditLogs, { requestId, eventType: 'auth.login.failed' });
    expect(rows.map((row) => row.actorIdentifier)).toEqual(['invalid-identifier']);
  });

  it('records a non-admin on an admin route as access denied, with who it was', async () => {
    const user = await register();
    const ip = nextIp();
    const response = await t.admin().get('/api/v1/admin/users').set('X-Forwarded-For', ip).set(bearer(user.accessToken));
    expect(response.status).toBe(403);
    const requestId = response.headers['x-request-id'] as string;

    expect(securityLine(requestId, 'access_denied')).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      method: 'GET',
      route: '/api/v1/admin/users',
      ip_address: ip,
      user_id: user.id,
      request_id: requestId,
    });
    expectNoSecretsOf(user);
  });

  it('records a missing, a tampered, an expired and a revoked access token', async () => {
    const user = await register();
    const key = t.api.keyRing.activeKey();
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ email: user.email, role: 'user', sid: user.sessionId, token_type: 'access' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer('pandora-exchange')
      .setAudience('pandora-exchange-api')
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuedAt(past - 900)
      .setNotBefore(past - 900)
      .setExpirationTime(past)
      .sign(key.signingKey);
    const tampered = `${user.accessToken.slice(0, -4)}AAAA`;
    expect((await t.http().post('/api/v1/users/me/logout').set(bearer(user.accessToken)).send()).status).toBe(204);

    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'UNAUTHORIZED'],
      [bearer(tampered), 'INVALID_TOKEN'],
      [bearer(expired), 'TOKEN_EXPIRED'],
      [bearer(user.accessToken), 'INVALID_TOKEN'],
    ];
    for (const [headers, code] of cases) {
      const ip = nextIp();
      const response = await t.http().get('/api/v1/users/me').set('X-Forwarded-For', ip).set(headers);
      expect(response.status).toBe(401);
      const requestId = response.headers['x-request-id'] as string;
      expect(securityLine(requestId, 'authentication_failed')).toMatchObject({
        code,
        method: 'GET',
        route: '/api/v1/users/me',
        ip_address: ip,
        request_id: requestId,
      });
    }
    expect(t.rawLogs()).not.toContain(tampered);
    expect(t.rawLogs()).not.toContain(expired);
    expectNoSecretsOf(user);
  });

  it('records a request refused by a rate limit, naming the limit', async () => {
    const email = uniqueEmail('limited');
    const ip = nextIp();
    const attempt = () => t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password: STRONG_PASSWORD });
    for (let i = 0; i < 2; i++) expect((await attempt()).status).toBe(401);
    const response = await attempt();
    expect(response.status).toBe(429);
    const requestId = response.headers['x-request-id'] as string;

    const line = securityLine(requestId, 'rate_limited');
    expect(line).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      method: 'POST',
      route: '/api/v1/auth/login',
      ip_address: ip,
      request_id: requestId,
    });
    expect(line.detail).toContain('login');
    expect(t.rawLogs()).not.toContain(email);
  });
});
