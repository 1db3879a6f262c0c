import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { freePort, WORKSPACE_ROOT } from '@pandora/testing';
import request from 'supertest';

/** user-api as a real OS process (the entry point with tracing, signals and exit codes). */
export interface AppProcess {
  child: ChildProcess;
  publicUrl: string;
  adminUrl: string;
  output: () => string;
  /** Parsed JSON log lines so far. */
  logs: () => Array<Record<string, unknown>>;
  exit: Promise<number | null>;
}

/**
 * Spawns user-api with `env` (over test defaults) and waits for /health unless `waitForHealth` is
 * false. `waitForReady` also waits for /ready: Redis connects in the background (the API must start
 * without it), so a suite whose first request needs Redis — a rate-limit decision, a Redis span —
 * waits until it is there.
 */
export async function startUserApiProcess(
  env: Record<string, string>,
  options: { waitForHealth?: boolean; waitForReady?: boolean } = {},
): Promise<AppProcess> {
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  let output = '';
  // `node --import tsx` keeps the app in this very process (the tsx CLI would fork a child that
  // signals do not reach directly).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(WORKSPACE_ROOT, 'apps/user-api/src/main.ts')], {
    cwd: WORKSPACE_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      APP_ENV: 'test',
      LOG_LEVEL: 'info',
      SERVER_PORT: String(publicPort),
      ADMIN_PORT: String(adminPort),
      HOST: '127.0.0.1',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_PARALLELISM: '1',
      RATE_LIMIT_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const publicUrl = `http://127.0.0.1:${publicPort}`;
  const started = Date.now();
  const probes = [...(options.waitForHealth !== false ? ['/health'] : []), ...(options.waitForReady ? ['/ready'] : [])];
  for (const probe of probes) {
    for (;;) {
      const ok = await request(publicUrl)
        .get(probe)
        .then(
          (r) => r.status === 200,
          () => false,
        );
      if (ok) break;
      if (child.exitCode !== null || Date.now() - started > 30_000) throw new Error(`user-api did not answer ${probe}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100)); // poll step of a wait with a deadline, not a sleep the test depends on
    }
  }
  return {
    child,
    publicUrl,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    output: () => output,
    logs: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exit,
  };
}
