import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { freePort, WORKSPACE_ROOT } from './test-infrastructure';
import { eventually } from './waiting';

/** event-relay running as a process for a suite, so that queued mail really goes out over SMTP. */
export interface MailCourierProcess {
  /** Its /health, /ready, /metrics. */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts event-relay (its outbox relay and its mail courier) against the suite's database and Redis
 * prefix, delivering to `smtpUrl` (a `TestSmtpServer`) with test-friendly timings: mail queued by
 * the code under test arrives within a fraction of a second. Links point at `publicWebUrl` (the
 * suite's user-api). `env` overrides anything.
 */
export async function startMailCourier(options: {
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  smtpUrl: string;
  publicWebUrl?: string;
  env?: Record<string, string>;
}): Promise<MailCourierProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(WORKSPACE_ROOT, 'apps/event-relay/src/main.ts')], {
    cwd: WORKSPACE_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      APP_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: options.redisKeyPrefix,
      METRICS_PORT: String(port),
      HOST: '127.0.0.1',
      EVENT_RELAY_LEADER_RETRY_INTERVAL: '200ms',
      SMTP_URL: options.smtpUrl,
      ...(options.publicWebUrl ? { PUBLIC_WEB_URL: options.publicWebUrl } : {}),
      MAIL_POLL_INTERVAL: '50ms',
      MAIL_RETRY_BASE: '100ms',
      MAIL_RETRY_MAX: '500ms',
      MAIL_SEND_TIMEOUT: '5s',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exit = once(child, 'exit');
  let exited = false;
  void exit.then(() => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };
  try {
    await eventually(
      async () => {
        if (exited) throw new Error(`event-relay exited:\n${output}`);
        const metrics = await fetch(`${url}/metrics`);
        return metrics.ok && /^mail_courier_leader 1$/m.test(await metrics.text());
      },
      'event-relay to hold the mail courier lease',
      30_000,
      100,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => output, stop };
}
