import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { freePort, TestSmtpServer, WORKSPACE_ROOT } from '@pandora/testing';
import type { TestUserApi } from './test-user-api';

/** The link origin the courier writes into mails in these tests. */
export const PUBLIC_WEB_URL = 'https://exchange.test';

export interface Courier {
  smtp: TestSmtpServer;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Real mail for a user-api test: a test SMTP server in this process and event-relay — whose courier
 * delivers the queued mail — as its own OS process on the same database (the way production runs
 * it), polling every 50 ms. Mails arrive in `smtp.mails`.
 */
export async function startCourier(t: TestUserApi): Promise<Courier> {
  const smtp = await TestSmtpServer.start();
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(WORKSPACE_ROOT, 'apps/event-relay/src/main.ts')], {
    cwd: WORKSPACE_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      APP_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: t.db.url,
      REDIS_URL: t.redis.url,
      REDIS_KEY_PREFIX: t.redis.keyPrefix,
      METRICS_PORT: String(port),
      HOST: '127.0.0.1',
      SMTP_URL: smtp.url,
      PUBLIC_WEB_URL,
      MAIL_POLL_INTERVAL: '50ms',
      MAIL_RETRY_BASE: '100ms',
      MAIL_RETRY_MAX: '500ms',
      EVENT_RELAY_LEADER_RETRY_INTERVAL: '200ms',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exit = once(child, 'exit');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (healthy) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`event-relay did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
  return {
    smtp,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exit;
      await smtp.stop();
    },
  };
}
