import { execFile } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * Where the test PostgreSQL and Redis come from, decided once per `npm test` run:
 *  1. DATABASE_URL / REDIS_URL when set (CI and this machine): the servers they point at.
 *  2. Otherwise, when a container runtime answers (a laptop with Docker): testcontainers starts
 *     postgres:15 and redis:7 for the run.
 *  3. Otherwise the local defaults (127.0.0.1:5432 as postgres, 127.0.0.1:6379).
 * Every suite then gets its own database (cloned from a migrated template) and Redis key prefix.
 */
export const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');
const LOCAL_PG = 'postgresql://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379/0';
const execFileAsync = promisify(execFile);

export interface TestInfrastructure {
  runId: string;
  adminDatabaseUrl: string;
  templateDatabase: string;
  redisUrl: string;
  source: 'env' | 'testcontainers' | 'local-default';
}

export const ENV_KEYS = {
  runId: 'PANDORA_TEST_RUN_ID',
  adminDatabaseUrl: 'PANDORA_TEST_ADMIN_DATABASE_URL',
  templateDatabase: 'PANDORA_TEST_TEMPLATE_DATABASE',
  redisUrl: 'PANDORA_TEST_REDIS_URL',
  source: 'PANDORA_TEST_INFRA_SOURCE',
} as const;

export function databaseUrlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function readInfrastructure(): TestInfrastructure {
  const runId = process.env[ENV_KEYS.runId];
  if (!runId) throw new Error('The test infrastructure is not set up: run tests through jest (globalSetup prepares it).');
  return {
    runId,
    adminDatabaseUrl: process.env[ENV_KEYS.adminDatabaseUrl] as string,
    templateDatabase: process.env[ENV_KEYS.templateDatabase] as string,
    redisUrl: process.env[ENV_KEYS.redisUrl] as string,
    source: process.env[ENV_KEYS.source] as TestInfrastructure['source'],
  };
}

export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Applies every migration to the database at `url` with the real Prisma CLI (`migrate deploy`). */
export async function migrateDatabase(url: string): Promise<void> {
  const prisma = path.join(WORKSPACE_ROOT, 'node_modules', '.bin', 'prisma');
  try {
    await execFileAsync(prisma, ['migrate', 'deploy'], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, DATABASE_URL: url, DATABASE_DIRECT_URL: url },
      timeout: 120_000,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`prisma migrate deploy failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

export const LOCAL_DEFAULTS = { postgres: LOCAL_PG, redis: LOCAL_REDIS };

/** A TCP port nothing listens on right now (for a process the test starts itself). */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
