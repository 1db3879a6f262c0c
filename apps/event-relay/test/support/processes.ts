import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort, WORKSPACE_ROOT } from '@pandora/testing';

/** An app started the way production starts it: its TypeScript entry point as an OS process. */
export interface AppProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  /** JSON log lines written so far. */
  logs(): Array<Record<string, unknown>>;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited(): boolean;
}

function spawnEntry(entry: string, env: Record<string, string>, port: number): AppProcess {
  let output = '';
  // tsx as a loader inside one node process (not the tsx CLI, which runs the app in a child
  // process): SIGKILL must hit the app itself, not a wrapper that would leave it orphaned.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let exited = false;
  void exit.then(() => (exited = true));
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    logs: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    exited: () => exited,
    stop: async (signal = 'SIGTERM') => {
      if (!exited) child.kill(signal);
      const [code] = await exit;
      return code;
    },
  };
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
  throw new Error(`no /health on ${url} within ${timeoutMs} ms`);
}

/** A process that never answered says why (a refused configuration, a crash) in the test's failure. */
function withOutputOf(app: AppProcess): (error: Error) => never {
  return (error) => {
    throw new Error(`${error.message}; its output:\n${app.output().slice(-3_000)}`);
  };
}

export interface Infrastructure {
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
}

/** The relay process with test-friendly timings; `env` overrides anything. */
export async function startRelay(infra: Infrastructure, env: Record<string, string> = {}): Promise<AppProcess> {
  const port = await freePort();
  const relay = spawnEntry(
    'apps/event-relay/src/main.ts',
    {
      APP_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: infra.databaseUrl,
      REDIS_URL: infra.redisUrl,
      REDIS_KEY_PREFIX: infra.redisKeyPrefix,
      METRICS_PORT: String(port),
      HOST: '127.0.0.1',
      EVENT_RELAY_LEADER_RETRY_INTERVAL: '200ms',
      EVENT_RELAY_MAX_BACKOFF: '1s',
      ...env,
    },
    port,
  );
  await waitForHttp(relay.url).catch(withOutputOf(relay));
  return relay;
}

/** user-api as its real process (both listeners), cheap Argon2, no rate limits (one IP drives it hard). */
export async function startUserApi(infra: Infrastructure, env: Record<string, string> = {}): Promise<AppProcess> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const api = spawnEntry(
    'apps/user-api/src/main.ts',
    {
      APP_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: infra.databaseUrl,
      REDIS_URL: infra.redisUrl,
      REDIS_KEY_PREFIX: infra.redisKeyPrefix,
      SERVER_PORT: String(port),
      ADMIN_PORT: String(adminPort),
      HOST: '127.0.0.1',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_PARALLELISM: '1',
      RATE_LIMIT_ENABLED: 'false',
      ...env,
    },
    port,
  );
  await waitForHttp(api.url).catch(withOutputOf(api));
  return api;
}

/** The relay's role from its own metrics: 1 while it holds the leader lease. */
export async function isLeader(relay: AppProcess): Promise<boolean> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  return /^event_relay_leader 1$/m.test(text);
}

export async function metricValue(relay: AppProcess, pattern: RegExp): Promise<number | null> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const match = pattern.exec(text);
  return match ? Number(match[1]) : null;
}
