import { databaseUrlFor, ENV_KEYS, LOCAL_DEFAULTS, migrateDatabase, withPgClient } from './test-infrastructure';

type Started = { stop: () => Promise<unknown> };
const globalState = globalThis as typeof globalThis & { __pandoraContainers?: Started[] };

const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

async function startContainers(): Promise<{ postgres: string; redis: string } | null> {
  // testcontainers only loads when it might be needed; on machines without a runtime it is skipped.
  const tc = await import('testcontainers');
  try {
    await tc.getContainerRuntimeClient();
  } catch {
    return null;
  }
  const postgres = await new tc.GenericContainer('postgres:15-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(tc.Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const redis = await new tc.GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
  globalState.__pandoraContainers = [postgres, redis];
  return {
    postgres: `postgresql://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    redis: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}/0`,
  };
}

/** Drops databases left behind by test runs that were killed before their teardown. */
async function dropStaleDatabases(adminUrl: string): Promise<void> {
  await withPgClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'pandora_test_%' OR datname LIKE 'pandora_tpl_%'",
    );
    for (const { datname } of rows) {
      const stamp = /^pandora_(?:test|tpl)_([0-9a-z]+)_/.exec(datname)?.[1];
      const createdAt = stamp ? parseInt(stamp, 36) : NaN;
      if (Number.isFinite(createdAt) && Date.now() - createdAt > STALE_AFTER_MS) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
  });
}

export default async function globalSetup(): Promise<void> {
  // Jest runs a globalSetup per project as well as the root one; the first one does the work.
  if (process.env[ENV_KEYS.runId]) return;

  let source: 'env' | 'testcontainers' | 'local-default' = 'env';
  let baseDatabaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  if (!baseDatabaseUrl || !redisUrl) {
    const started = await startContainers();
    if (started) {
      source = 'testcontainers';
      baseDatabaseUrl ??= started.postgres;
      redisUrl ??= started.redis;
    } else {
      source = 'local-default';
      baseDatabaseUrl ??= LOCAL_DEFAULTS.postgres;
      redisUrl ??= LOCAL_DEFAULTS.redis;
    }
  }

  const runId = `${Date.now().toString(36)}_${process.pid.toString(36)}`;
  const templateDatabase = `pandora_tpl_${runId}`;
  try {
    await dropStaleDatabases(baseDatabaseUrl);
    await withPgClient(baseDatabaseUrl, (client) => client.query(`CREATE DATABASE "${templateDatabase}"`));
  } catch (error) {
    throw new Error(
      `Cannot prepare the test database on ${new URL(baseDatabaseUrl).host} (${(error as Error).message}). ` +
        'Start PostgreSQL (see README: Running the tests) or set DATABASE_URL.',
    );
  }
  await migrateDatabase(databaseUrlFor(baseDatabaseUrl, templateDatabase));

  // Each suite points its apps at its own database; a DATABASE_DIRECT_URL left in the shell would
  // send their sessions (relay lease, cleanup lock) to another one.
  delete process.env.DATABASE_DIRECT_URL;
  process.env[ENV_KEYS.runId] = runId;
  process.env[ENV_KEYS.adminDatabaseUrl] = baseDatabaseUrl;
  process.env[ENV_KEYS.templateDatabase] = templateDatabase;
  process.env[ENV_KEYS.redisUrl] = redisUrl;
  process.env[ENV_KEYS.source] = source;
}
