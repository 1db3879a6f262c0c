import { PassThrough } from 'node:stream';
import { buildUserApiConfig } from '@pandora/config';
import { TableRows } from '@pandora/data-access/testing';
import type { Clock } from '@pandora/domain';
import { listen, type RunningServer } from '@pandora/http-kit';
import { createLogger } from '@pandora/observability';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@pandora/testing';
import request from 'supertest';
import { createUserApi, type UserApi } from '../../src/composition-root';

export interface TestUserApi {
  api: UserApi;
  /** Base URL of the public listener (a real socket on an ephemeral port). */
  publicUrl: string;
  adminUrl: string;
  http: () => request.Agent;
  admin: () => request.Agent;
  /** Reads and seeds rows directly (typed by the table definitions). */
  rows: TableRows;
  db: TestDatabase;
  redis: TestRedis;
  /** Every JSON log line the app wrote so far. */
  logs: Array<Record<string, unknown>>;
  rawLogs: () => string;
  stop(): Promise<void>;
}

export interface TestUserApiOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Share another instance's database and Redis prefix (a second replica). */
  shareWith?: TestUserApi;
  /** A built admin console to serve at /console (see test/support/admin-console.ts). */
  consoleDirectory?: string;
  /** A database prepared by the test (dropped by the test, not by `stop`). */
  db?: TestDatabase;
}

/** A real user-api (both listeners) against its own fresh database and Redis key prefix. */
export async function startTestUserApi(options: TestUserApiOptions = {}): Promise<TestUserApi> {
  const db = options.shareWith?.db ?? options.db ?? (await createTestDatabase());
  const redis = options.shareWith?.redis ?? (await createTestRedis());
  const config = buildUserApiConfig({
    APP_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '5',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    SERVER_PORT: '0',
    ADMIN_PORT: '0',
    HOST: '127.0.0.1',
    // Every suite talks from 127.0.0.1 and repeats logins on purpose; the abuse-control suites
    // switch these back to the documented defaults (or tighter) explicitly.
    RATE_LIMIT_ENABLED: 'false',
    LOGIN_LOCKOUT_THRESHOLD: '1000',
    ...options.env,
  });
  const stream = new PassThrough();
  let raw = '';
  const logs: Array<Record<string, unknown>> = [];
  stream.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
    for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
  });
  const api = await createUserApi(config, {
    logger: createLogger({ service: 'user-api', level: config.logLevel, stream }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.consoleDirectory ? { consoleDirectory: options.consoleDirectory } : {}),
  });
  const servers: RunningServer[] = await Promise.all([listen(api.publicApp.app, 0, '127.0.0.1'), listen(api.adminApp.app, 0, '127.0.0.1')]);
  const [publicServer, adminServer] = servers as [RunningServer, RunningServer];
  const rows = options.shareWith?.rows ?? new TableRows(db.url, 'user-api-tests');
  const publicUrl = `http://127.0.0.1:${publicServer.port}`;
  const adminUrl = `http://127.0.0.1:${adminServer.port}`;
  return {
    api,
    publicUrl,
    adminUrl,
    http: () => request.agent(publicUrl),
    admin: () => request.agent(adminUrl),
    rows,
    db,
    redis,
    logs,
    rawLogs: () => raw,
    async stop() {
      await Promise.all(servers.map((server) => server.close(1000)));
      await api.close();
      if (!options.shareWith) {
        await rows.close();
        await redis.cleanup();
        if (!options.db) await db.drop();
      }
    },
  };
}
