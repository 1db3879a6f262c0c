import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { databaseUrlFromEnv, LOCAL_REDIS_URL, redactUrl, redisUrlFromEnv } from '@pandora/config';
import Redis from 'ioredis';
import pg from 'pg';

const execFileAsync = promisify(execFile);

export const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

/** The server the private database is created on when DATABASE_URL says nothing (the local PostgreSQL). */
const LOCAL_SERVER_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * Everything one bench run owns on the shared servers: a database of its own, created and migrated
 * with the real migrations and dropped at the end, and a Redis key prefix whose keys are deleted at
 * the end. Nothing else on either server is touched.
 */
export interface PrivateInfrastructure {
  runId: string;
  databaseName: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  /** A client without the prefix (for the raw XADD baseline and the final cleanup). */
  redis: Redis;
  /** JWT_SIGNING_KEYS for user-api: a fresh ES256 ring (the production default algorithm). */
  signingKeys: string;
  /** MFA_ENCRYPTION_KEYS for user-api: one fresh AES-256 key. */
  mfaEncryptionKeys: string;
  /** The same key, for seeding what only its holder can make (recovery-code digests). */
  mfaKey: { kid: string; key: Buffer };
  /** GRPC_AUTH_TOKENS for user-grpc and the token the bench calls it with. */
  grpcToken: string;
  grpcAuthTokens: string;
  sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  /**
   * One statement with ordinary triggers off (`SET LOCAL session_replication_role = replica`): seeds
   * back-dated audit rows, which the database otherwise dates with its own clock. Superuser only.
   */
  seedWithoutTriggers(text: string, values?: unknown[]): Promise<void>;
  /**
   * An empty database `pandora_bench_<run id>_<suffix>` on the same server, for a peer product's own
   * schema; dropped by `dispose` (and, if the run is killed, by a later run's leftover sweep).
   */
  createSideDatabase(suffix: string): Promise<{ name: string; url: string }>;
  /** The run's database and its side databases: whose PostgreSQL backends count in the CPU accounting. */
  databaseNames(): string[];
  dispose(): Promise<void>;
}

/** 20261123T101530 → the run id used in the database name, the key prefix and the output files. */
export function newRunId(now = new Date()): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .toLowerCase();
}

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The start time encoded in a run id (newRunId), or null when `text` is not one. */
export function runIdTime(text: string): number | null {
  const match = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return Date.UTC(year as number, (month as number) - 1, day, hour, minute, second);
}

/** The run id in a bench database's name: `pandora_bench_<run id>` or a side database `…_<suffix>`. */
export function benchDatabaseRunId(name: string): string | undefined {
  return /^pandora_bench_(\d{8}t\d{6})(?:_[a-z0-9_]+)?$/.exec(name)?.[1];
}

/** No run lasts this long: what is older was left by a run that was killed before its cleanup. */
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/** Drops databases and deletes keys that killed bench runs left behind (bench-named and stale only). */
async function removeLeftovers(serverUrl: string, redis: Redis, log: (line: string) => void): Promise<void> {
  const isStale = (runId: string | undefined) => {
    const started = runId ? runIdTime(runId) : null;
    return started !== null && Date.now() - started > STALE_AFTER_MS;
  };
  await withClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'pandora\\_bench\\_%'");
    for (const { datname } of rows.filter((row) => isStale(benchDatabaseRunId(row.datname)))) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      log(`dropped ${datname}, left behind by a killed run`);
    }
  });
  const stalePrefixes = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'bench:*', 'COUNT', 1000);
    for (const key of keys) {
      const runId = /^bench:([^:]+):/.exec(key)?.[1];
      if (isStale(runId)) stalePrefixes.add(`bench:${runId}:`);
    }
    cursor = next;
  } while (cursor !== '0');
  for (const prefix of stalePrefixes) {
    await deleteKeys(redis, `${prefix}*`);
    log(`deleted ${prefix}*, left behind by a killed run`);
  }
}

export async function createPrivateInfrastructure(runId: string, log: (line: string) => void): Promise<PrivateInfrastructure> {
  const serverUrl = databaseUrlFromEnv(process.env) ?? LOCAL_SERVER_URL;
  const redisUrl = redisUrlFromEnv(process.env) ?? LOCAL_REDIS_URL;
  const databaseName = `pandora_bench_${runId}`;
  const databaseUrl = databaseUrlFor(serverUrl, databaseName);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, connectionName: 'bench' });
  await redis.connect();
  await removeLeftovers(serverUrl, redis, log);

  log(`database ${databaseName} on ${redactUrl(serverUrl)}`);
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${databaseName}"`));
  const dropDatabase = (name = databaseName) =>
    withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined);
  const sideDatabases = new Set<string>();
  try {
    await execFileAsync(path.join(WORKSPACE_ROOT, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, DATABASE_DIRECT_URL: databaseUrl },
      timeout: 180_000,
    });
  } catch (error) {
    await dropDatabase();
    redis.disconnect();
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`prisma migrate deploy failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'bench', options: '-c TimeZone=UTC' });
  const redisKeyPrefix = `bench:${runId}:`;
  log(`redis ${redactUrl(redisUrl)} under the key prefix ${redisKeyPrefix}`);

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKeys = JSON.stringify([
    { kid: `bench-${runId}`, alg: 'ES256', status: 'active', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
  ]);
  const grpcToken = randomBytes(32).toString('hex');
  const mfaKey = { kid: `bench-${runId}`, key: randomBytes(32) };

  return {
    runId,
    databaseName,
    databaseUrl,
    redisUrl,
    redisKeyPrefix,
    redis,
    signingKeys,
    mfaEncryptionKeys: `${mfaKey.kid}:${mfaKey.key.toString('base64')}`,
    mfaKey,
    grpcToken,
    grpcAuthTokens: `bench:${grpcToken}`,
    sql: async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await pool.query<T>(text, values)).rows,
    async seedWithoutTriggers(text: string, values: unknown[] = []) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL session_replication_role = replica');
        await client.query(text, values);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    databaseNames: () => [databaseName, ...sideDatabases],
    async createSideDatabase(suffix) {
      if (!/^[a-z0-9_]+$/.test(suffix)) throw new Error(`side database suffix ${suffix}: lower-case letters, digits and _ only`);
      const name = `${databaseName}_${suffix}`;
      sideDatabases.add(name);
      await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
      return { name, url: databaseUrlFor(serverUrl, name) };
    },
    async dispose() {
      for (const name of sideDatabases) {
        await dropDatabase(name).catch((error: Error) => log(`could not drop ${name}: ${error.message}`));
        log(`dropped ${name}`);
      }
      await pool.end().catch(() => undefined);
      await deleteKeys(redis, `${redisKeyPrefix}*`).catch((error: Error) =>
        log(`could not delete the bench's Redis keys: ${error.message}`),
      );
      redis.disconnect();
      await dropDatabase();
      log(`dropped ${databaseName}, deleted ${redisKeyPrefix}*`);
    },
  };
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
