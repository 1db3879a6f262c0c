import { createTestDatabase, createTestRedis, holdPort, runEntryPointToExit, type TestDatabase, type TestRedis } from '@pandora/testing';

/** event-relay started while another process holds METRICS_PORT: one line that says what to do, exit 1. */
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

it('prints one line naming the port and METRICS_PORT, and exits 1', async () => {
  const taken = await holdPort();
  try {
    const run = await runEntryPointToExit('apps/event-relay/src/main.ts', {
      APP_ENV: 'test',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      METRICS_PORT: String(taken.port),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `event-relay: port ${taken.port} is already in use (METRICS_PORT); stop the other process or set METRICS_PORT\n`,
    );
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at /m);
  } finally {
    await taken.release();
  }
}, 60_000);
