import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createTestDatabase, createTestRedis, freePort, WORKSPACE_ROOT, type TestDatabase, type TestRedis } from '@pandora/testing';
import request from 'supertest';
import { STRONG_PASSWORD, uniqueEmail } from './support/fixtures';

function startProcess(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [path.join(WORKSPACE_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'apps/user-api/src/main.ts'], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      if ((await request(url).get('/health')).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no /health on ${url} within ${timeoutMs} ms`);
}

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
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    const { child, output } = startProcess({
      APP_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      SERVER_PORT: String(publicPort),
      ADMIN_PORT: String(adminPort),
      HOST: '127.0.0.1',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_PARALLELISM: '1',
    });
    try {
      await waitForHealth(`http://127.0.0.1:${publicPort}`, 20_000);
      expect((await request(`http://127.0.0.1:${adminPort}`).get('/health')).status).toBe(200);
      const registered = await request(`http://127.0.0.1:${publicPort}`)
        .post('/api/v1/auth/register')
        .send({ email: uniqueEmail('proc'), password: STRONG_PASSWORD, first_name: 'P', last_name: 'Q' });
      expect(registered.status).toBe(201);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(output()).toContain('"message":"user-api stopped"');
  }, 60_000);

  it('refuses to start with a clear message when the configuration is invalid', async () => {
    const { child, output } = startProcess({ APP_ENV: 'prod', SERVER_PORT: 'eighty' });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(output()).toContain('Invalid configuration for user-api');
    expect(output()).toContain('SERVER_PORT: expected a TCP port');
    expect(output()).toContain('JWT_SIGNING_KEYS: required when APP_ENV=prod');
  }, 30_000);
});
