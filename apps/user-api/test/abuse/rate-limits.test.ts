import { users } from '@pandora/data-access';
import { bearer, eventually, expectErrorEnvelope, registerUser, STRONG_PASSWORD, uniqueEmail } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * Each limit of docs/abuse-controls.md over real HTTP and real Redis. TRUST_PROXY=loopback lets the test speak as
 * many clients through X-Forwarded-For; the spoofing test runs without it.
 */
const LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  TRUST_PROXY: 'loopback',
  RATE_LIMIT_REQUESTS_PER_WINDOW: '8',
  RATE_LIMIT_USER_REQUESTS_PER_WINDOW: '4',
  // Long enough that a loaded CI machine cannot outlast them by accident; the sliding test uses
  // its own short-window instance.
  RATE_LIMIT_WINDOW_DURATION: '60s',
  RATE_LIMIT_LOGIN_REQUESTS: '3',
  RATE_LIMIT_LOGIN_WINDOW: '60s',
  RATE_LIMIT_REGISTER_REQUESTS: '2',
  RATE_LIMIT_REGISTER_WINDOW: '60s',
};

let t: TestUserApi;
let ipCounter = 10;
const nextIp = () => `198.51.100.${ipCounter++}`;
beforeAll(async () => {
  t = await startTestUserApi({ env: LIMITS });
});
afterAll(() => t.stop());

function expect429(response: { status: number; headers: Record<string, string>; body: unknown }, limit: string) {
  expect(response.status).toBe(429);
  expectErrorEnvelope(response.body, 'RATE_LIMITED');
  expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(response.headers['ratelimit-remaining']).toBe('0');
  expect((response.body as { error: { message: string } }).error.message).toContain(limit);
}

describe('per client IP on the public API', () => {
  it('refuses the request after the limit with headers and spares other IPs', async () => {
    const ip = nextIp();
    for (let i = 0; i < 8; i++) {
      const response = await t.http().get('/.well-known/jwks.json').set('X-Forwarded-For', ip);
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-limit']).toBe('8');
      expect(response.headers['ratelimit-remaining']).toBe(String(7 - i));
      expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    }
    expect429(await t.http().get('/.well-known/jwks.json').set('X-Forwarded-For', ip), 'ip');
    expect((await t.http().get('/.well-known/jwks.json').set('X-Forwarded-For', nextIp())).status).toBe(200);
  });

  it('slides: the budget comes back as the window moves on', async () => {
    const sliding = await startTestUserApi({ env: { ...LIMITS, RATE_LIMIT_WINDOW_DURATION: '3s' } });
    try {
      const ip = '198.51.100.250';
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => sliding.http().get('/.well-known/jwks.json').set('X-Forwarded-For', ip)),
      );
      expect(burst.map((response) => response.status)).toEqual(Array(8).fill(200));
      const refused = await sliding.http().get('/.well-known/jwks.json').set('X-Forwarded-For', ip);
      expect(refused.status).toBe(429);
      // The window is kept on Redis's clock; asking again is harmless (refused requests are not counted).
      const windowMs = 3_000;
      await eventually(
        async () => (await sliding.http().get('/.well-known/jwks.json').set('X-Forwarded-For', ip)).status === 200,
        windowMs + 10_000,
      );
    } finally {
      await sliding.stop();
    }
  });

  it('does not count health checks and metrics scrapes', async () => {
    const ip = nextIp();
    for (let i = 0; i < 12; i++) expect((await t.http().get('/health').set('X-Forwarded-For', ip)).status).toBe(200);
    expect((await t.http().get('/.well-known/jwks.json').set('X-Forwarded-For', ip)).status).toBe(200);
  });
});

describe('per user when authenticated', () => {
  it('limits one user without touching another', async () => {
    const alice = await registerUser(t.http().set('X-Forwarded-For', nextIp()));
    const bob = await registerUser(t.http().set('X-Forwarded-For', nextIp()));
    for (let i = 0; i < 4; i++)
      expect((await t.http().get('/api/v1/users/me').set(bearer(alice.accessToken)).set('X-Forwarded-For', nextIp())).status).toBe(200);
    expect429(await t.http().get('/api/v1/users/me').set(bearer(alice.accessToken)).set('X-Forwarded-For', nextIp()), 'user');
    expect((await t.http().get('/api/v1/users/me').set(bearer(bob.accessToken)).set('X-Forwarded-For', nextIp())).status).toBe(200);
  });
});

describe('failed logins per IP and email', () => {
  /** The login limit answers like the account lock: 429 with Retry-After (no RateLimit-* of its own). */
  function expectLoginLimit(response: { status: number; headers: Record<string, string>; body: { error: { message: string } } }) {
    expect(response.status).toBe(429);
    expectErrorEnvelope(response.body, 'RATE_LIMITED');
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(response.body.error.message).toContain('login limit');
  }

  it('refuses a login from one IP for one email after three failures, not for another email or IP', async () => {
    const ip = nextIp();
    const user = await registerUser(t.http().set('X-Forwarded-For', nextIp()));
    for (let i = 0; i < 3; i++)
      expect(
        (await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: user.email, password: 'nope nope nope' }))
          .status,
      ).toBe(401);
    expectLoginLimit(
      await t
        .http()
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: user.email.toUpperCase(), password: user.password }),
    );
    expect(
      (await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: uniqueEmail(), password: 'nope nope nope' }))
        .status,
    ).toBe(401);
    expect(
      (await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', nextIp()).send({ email: user.email, password: user.password }))
        .status,
    ).toBe(200);
    expect((await t.admin().get('/metrics')).text).toMatch(/rate_limit_rejections_total\{limit="login"\} [1-9]/);
  });

  it('never counts successful logins', async () => {
    const ip = nextIp();
    const user = await registerUser(t.http().set('X-Forwarded-For', nextIp()));
    for (let i = 0; i < 6; i++)
      expect(
        (await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: user.email, password: user.password })).status,
      ).toBe(200);
  });

  it('applies to the admin login too', async () => {
    const ip = nextIp();
    for (let i = 0; i < 3; i++)
      await t
        .admin()
        .post('/api/v1/admin/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: 'root@example.com', password: 'guess guess' });
    expectLoginLimit(
      await t
        .admin()
        .post('/api/v1/admin/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: 'root@example.com', password: 'guess guess' }),
    );
  });
});

describe('registrations per IP', () => {
  it('refuses the third registration from one IP', async () => {
    const ip = nextIp();
    const register = () =>
      t
        .http()
        .post('/api/v1/auth/register')
        .set('X-Forwarded-For', ip)
        .send({ email: uniqueEmail(), password: STRONG_PASSWORD, first_name: 'R', last_name: 'L' });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(201);
    expect429(await register(), 'register');
    expect(await t.rows.count(users, { lastName: 'L', firstName: 'R' })).toBeGreaterThanOrEqual(2);
  });

  it('spares other IPs, and its 429 describes the register limit with headers that agree', async () => {
    const ip = nextIp();
    const register = (from: string) =>
      t
        .http()
        .post('/api/v1/auth/register')
        .set('X-Forwarded-For', from)
        .send({ email: uniqueEmail(), password: STRONG_PASSWORD, first_name: 'R', last_name: 'L' });
    for (let i = 0; i < 2; i++) expect((await register(ip)).status).toBe(201);
    const refused = await register(ip);
    expect429(refused, 'register');
    // The most restrictive limit the request went through is the register one (2/60 s), not the per-IP one.
    expect(refused.headers['ratelimit-limit']).toBe(LIMITS.RATE_LIMIT_REGISTER_REQUESTS);
    const reset = Number(refused.headers['ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    expect(refused.headers['retry-after']).toBe(refused.headers['ratelimit-reset']);

    const elsewhere = await register(nextIp());
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.headers['ratelimit-limit']).toBe(LIMITS.RATE_LIMIT_REGISTER_REQUESTS);
    expect(elsewhere.headers['ratelimit-remaining']).toBe('1');
  });
});

describe('X-Forwarded-For without TRUST_PROXY', () => {
  it('cannot be used to escape the per-IP limit', async () => {
    const direct = await startTestUserApi({ env: { ...LIMITS, TRUST_PROXY: '' } });
    try {
      for (let i = 0; i < 8; i++)
        expect((await direct.http().get('/.well-known/jwks.json').set('X-Forwarded-For', `203.0.113.${i}`)).status).toBe(200);
      expect429(await direct.http().get('/.well-known/jwks.json').set('X-Forwarded-For', '203.0.113.250'), 'ip');
    } finally {
      await direct.stop();
    }
  });
});

describe('RATE_LIMIT_ENABLED=false', () => {
  it('turns every limit off', async () => {
    const off = await startTestUserApi({ env: { ...LIMITS, RATE_LIMIT_ENABLED: 'false' } });
    try {
      for (let i = 0; i < 12; i++) {
        const response = await off.http().get('/.well-known/jwks.json');
        expect(response.status).toBe(200);
        expect(response.headers['ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await off.stop();
    }
  });
});
