import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { auditLogs } from '@pandora/data-access';
import { TableRows } from '@pandora/data-access/testing';
import { HealthClient, ServingStatus, UserServiceClient, type HealthCheckResponse, type UpdateKYCResponse } from '@pandora/grpc-contract';
import { createTestDatabase, freePort, WORKSPACE_ROOT, type TestDatabase } from '@pandora/testing';
import request from 'supertest';
import { seedUser, TEST_AUTH_TOKENS, WALLET_TOKEN } from './support/test-user-grpc';

function startProcess(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [path.join(WORKSPACE_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'apps/user-grpc/src/main.ts'], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() - started > withinMs) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
}

let db: TestDatabase;
let rows: TableRows;
beforeAll(async () => {
  db = await createTestDatabase();
  rows = new TableRows(db.url, 'user-grpc-process-test');
});
afterAll(async () => {
  await rows.close();
  await db.drop();
});

describe('the user-grpc process', () => {
  it('on SIGTERM reports NOT_SERVING, lets the in-flight call finish, and exits 0', async () => {
    const [grpcPort, metricsPort] = [await freePort(), await freePort()];
    const user = await seedUser(rows);
    const { child, output } = startProcess({
      APP_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      GRPC_PORT: String(grpcPort),
      METRICS_PORT: String(metricsPort),
      HOST: '127.0.0.1',
      GRPC_AUTH_TOKENS: TEST_AUTH_TOKENS,
      SHUTDOWN_TIMEOUT: '30s',
    });
    const address = `127.0.0.1:${grpcPort}`;
    const health = new HealthClient(address, credentials.createInsecure());
    const users = new UserServiceClient(address, credentials.createInsecure());
    let releaseLock: (() => Promise<void>) | undefined;
    try {
      const check = () =>
        new Promise<HealthCheckResponse>((resolve, reject) =>
          health.check({ service: '' }, (error, answer) => (error ? reject(error) : resolve(answer))),
        );
      await eventually(async () => (await check()).status === ServingStatus.SERVING, 30_000);

      const watched: ServingStatus[] = [];
      const watch = health.watch({ service: 'pandora.user.v1.UserService' });
      watch.on('data', (message: HealthCheckResponse) => watched.push(message.status));
      watch.on('error', () => undefined);
      await eventually(async () => watched.includes(ServingStatus.SERVING), 5_000);

      // Another transaction holds the user's row, so the KYC change below stays in flight.
      const locker = await rows.db.pool.connect();
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM users WHERE id = $1::uuid FOR UPDATE', [user.id]);
      let lockHeld: Promise<void> | null = null;
      releaseLock = () => {
        lockHeld ??= locker.query('COMMIT').then(() => locker.release());
        return lockHeld;
      };

      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${WALLET_TOKEN}`);
      const inFlight = new Promise<UpdateKYCResponse>((resolve, reject) =>
        users.updateKycStatus({ userId: user.id, kycStatus: 'verified', updatedBy: '' }, metadata, (error: ServiceError | null, answer) =>
          error ? reject(error) : resolve(answer),
        ),
      );
      await eventually(async () => {
        const [row] = await rows.sql<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'user-grpc' AND wait_event_type = 'Lock'`,
        );
        return (row?.waiting ?? 0) > 0;
      }, 10_000);

      child.kill('SIGTERM');
      await eventually(async () => watched.includes(ServingStatus.NOT_SERVING), 10_000);
      const ready = await request(`http://127.0.0.1:${metricsPort}`).get('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('shutting_down');
      expect(child.exitCode).toBeNull();
      // The listener no longer accepts connections while the call drains.
      const latecomer = new HealthClient(address, credentials.createInsecure());
      const refused = await new Promise<ServiceError | null>((resolve) =>
        latecomer.check({ service: '' }, new Metadata(), { deadline: Date.now() + 3_000 }, (error) => resolve(error)),
      );
      latecomer.close();
      expect(refused?.code).toBe(status.UNAVAILABLE);

      await releaseLock();
      const answer = await inFlight;
      expect(answer.user?.kycStatus).toBe('verified');
      expect(await rows.count(auditLogs, { userId: user.id, eventType: 'user.kyc.updated' })).toBe(1);
    } finally {
      await releaseLock?.();
      health.close();
      users.close();
      // Only when the test failed before its own SIGTERM: a second signal would make tsx give up at once.
      if (child.exitCode === null && !child.killed) child.kill('SIGTERM');
    }
    const [code] = child.exitCode === null ? ((await once(child, 'exit')) as [number | null]) : [child.exitCode];
    expect(code).toBe(0);
    expect(output()).toContain('"message":"user-grpc shutting down"');
    expect(output()).toContain('"message":"user-grpc stopped"');
    expect(output()).not.toContain('calls still running at SHUTDOWN_TIMEOUT');
  }, 90_000);

  it('refuses to start in prod without any caller credential, naming the variables', async () => {
    const { child, output } = startProcess({ APP_ENV: 'prod', DATABASE_URL: db.url });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(output()).toContain('Invalid configuration for user-grpc');
    expect(output()).toContain('GRPC_AUTH_TOKENS: callers must authenticate when APP_ENV=prod');
    expect(output()).not.toContain('REDIS_URL');
  }, 30_000);
});
