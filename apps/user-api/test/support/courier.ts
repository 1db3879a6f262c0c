import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort, TestSmtpServer, WORKSPACE_ROOT } from '@pandora/testing';
import type { TestUserApi } from './test-user-api';

/**
 * The real delivery path for the mail-flow tests: event-relay (whose courier sends the queued mail)
 * as the OS process production runs, against the test's database, delivering to an in-process SMTP
 * server. The tests then read the mails a person would get, and follow their links.
 */
export interface MailDelivery {
  smtp: TestSmtpServer;
  stop(): Promise<void>;
}

export async function startMailDelivery(t: TestUserApi): Promise<MailDelivery> {
  const smtp = await TestSmtpServer.start();
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/event-relay/src/main.ts'], {
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
      PUBLIC_WEB_URL: t.publicUrl,
      MAIL_POLL_INTERVAL: '50ms',
      MAIL_RETRY_BASE: '100ms',
      MAIL_RETRY_MAX: '1s',
      EVENT_RELAY_LEADER_RETRY_INTERVAL: '200ms',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exit = once(child, 'exit');
  let exited = false;
  void exit.then(() => (exited = true));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`event-relay exited at start-up:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`event-relay did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
  return {
    smtp,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await exit;
      await smtp.stop();
    },
  };
}
