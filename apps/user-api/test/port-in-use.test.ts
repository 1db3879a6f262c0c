import {
  createTestDatabase,
  createTestRedis,
  freePort,
  holdPort,
  runEntryPointToExit,
  type TestDatabase,
  type TestRedis,
} from '@pandora/testing';

/** user-api started while another process holds one of its ports: one line that says what to do, exit 1. */
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

describe.each(['SERVER_PORT', 'ADMIN_PORT'])('user-api with %s taken', (variable) => {
  it('prints one line naming the port and the variable, and exits 1', async () => {
    const taken = await holdPort();
    try {
      const ports = { SERVER_PORT: String(await freePort()), ADMIN_PORT: String(await freePort()), [variable]: String(taken.port) };
      const run = await runEntryPointToExit('apps/user-api/src/main.ts', {
        APP_ENV: 'test',
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.keyPrefix,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_PARALLELISM: '1',
        ...ports,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`user-api: port ${taken.port} is already in use (${variable}); stop the other process or set ${variable}\n`);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at /m);
    } finally {
      await taken.release();
    }
  }, 60_000);
});
