import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@pandora/testing';
import request from 'supertest';
import { startUserApiProcess } from './support/app-process';
import { STRONG_PASSWORD, uniqueEmail } from './support/fixtures';

/** The real entry point as an OS process: config from env, both listeners, SIGTERM → exit 0. */
let db: TestDatabase;
let redis: TestRedis;
beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
  await db.drop();
});

describe('the user-api process', () => {
  it('starts both listeners from env, serves a registration, and exits 0 on SIGTERM', async () => {
    const app = await startUserApiProcess({ DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix });
    try {
      expect((await request(app.adminUrl).get('/health')).status).toBe(200);
      const registered = await request(app.publicUrl)
        .post('/api/v1/auth/register')
        .send({ email: uniqueEmail('proc'), password: STRONG_PASSWORD, first_name: 'P', last_name: 'Q' });
      expect(registered.status).toBe(201);
      // Access lines are written from a writer thread (docs/observability.md#logs): none may be lost at exit.
      for (let i = 0; i < 50; i++) await request(app.publicUrl).get('/health').set('X-Request-ID', `process-line-${i}`);
    } finally {
      app.child.kill('SIGTERM');
    }
    expect(await app.exit).toBe(0);
    expect(app.output()).toContain('"message":"user-api stopped"');
    const accessLines = app.logs().filter((line) => line.message === 'http request' && String(line.request_id).startsWith('process-line-'));
    expect(accessLines.map((line) => line.request_id)).toEqual(Array.from({ length: 50 }, (_, i) => `process-line-${i}`));
  }, 60_000);

  it('refuses to start with a clear message when the configuration is invalid', async () => {
    const app = await startUserApiProcess({ APP_ENV: 'prod', SERVER_PORT: 'eighty' }, { waitForHealth: false });
    expect(await app.exit).toBe(1);
    expect(app.output()).toContain('Invalid configuration for user-api');
    expect(app.output()).toContain('SERVER_PORT: expected a TCP port');
    expect(app.output()).toContain('JWT_SIGNING_KEYS: required when APP_ENV=prod');
  }, 30_000);
});
