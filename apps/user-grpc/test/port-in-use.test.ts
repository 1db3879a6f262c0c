import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createTestDatabase, freePort, holdPort, runEntryPointToExit, WORKSPACE_ROOT, type TestDatabase } from '@pandora/testing';
import request from 'supertest';

/**
 * A second user-grpc started while the first one runs (`npm run start:user-grpc` beside
 * `npm start`): one line naming the port and the variable that sets it, exit 1 — no stack trace.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const baseEnv = () => ({ APP_ENV: 'test', HOST: '127.0.0.1', DATABASE_URL: db.url });

describe('user-grpc on a taken port', () => {
  it('GRPC_PORT held by a running user-grpc: the second one prints one line and exits 1', async () => {
    const [grpcPort, metricsPort] = [await freePort(), await freePort()];
    const first = spawn(process.execPath, ['--import', 'tsx', 'apps/user-grpc/src/main.ts'], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', ...baseEnv(), GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort) },
      stdio: 'ignore',
    });
    try {
      const started = Date.now();
      while (
        !(await request(`http://127.0.0.1:${metricsPort}`)
          .get('/health')
          .then(
            (r) => r.status === 200,
            () => false,
          ))
      ) {
        if (first.exitCode !== null || Date.now() - started > 30_000) throw new Error('the first user-grpc did not start');
        await new Promise((resolve) => setTimeout(resolve, 100)); // poll step of a wait with a deadline, not a sleep the test depends on
      }
      const second = await runEntryPointToExit('apps/user-grpc/src/main.ts', {
        ...baseEnv(),
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: String(await freePort()),
      });
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(`user-grpc: port ${grpcPort} is already in use (GRPC_PORT); stop the other process or set GRPC_PORT\n`);
      expect(`${second.stdout}${second.stderr}`).not.toMatch(/^\s+at |No address added/m);
      expect((await request(`http://127.0.0.1:${metricsPort}`).get('/health')).status).toBe(200);
    } finally {
      first.kill('SIGTERM');
      await once(first, 'exit');
    }
  }, 90_000);

  it('METRICS_PORT taken: one line naming METRICS_PORT, exit 1', async () => {
    const taken = await holdPort();
    try {
      const run = await runEntryPointToExit('apps/user-grpc/src/main.ts', {
        ...baseEnv(),
        GRPC_PORT: String(await freePort()),
        METRICS_PORT: String(taken.port),
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `user-grpc: port ${taken.port} is already in use (METRICS_PORT); stop the other process or set METRICS_PORT\n`,
      );
    } finally {
      await taken.release();
    }
  }, 60_000);
});
