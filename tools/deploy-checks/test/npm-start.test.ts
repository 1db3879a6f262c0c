import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createEmptyDatabase, createTestRedis, withPgClient, type TestDatabase, type TestRedis } from '@pandora/testing';
import { REPOSITORY_ROOT } from '../src/repository';

/**
 * The README's first command, exactly as a newcomer runs it: `npm start` on an empty database must
 * apply the migrations, build the long-running apps and serve each on its documented default port.
 * Only the database and the Redis key prefix are the suite's own, so nothing is shared with other
 * suites; the ports are the real defaults (docs/configuration.md), which is the point of the test.
 * With no SMTP_URL, the local mail catcher runs too: the registration's verification mail shows up
 * in its inbox, and its link verifies the address.
 */
const DEFAULT_PORTS = {
  publicApi: 8080,
  adminApi: 8081,
  grpc: 9090,
  grpcMetrics: 9464,
  relayMetrics: 9465,
  mailSmtp: 1025,
  mailInbox: 8025,
};

let database: TestDatabase;
let redis: TestRedis;
let started: ChildProcess | undefined;
let output = '';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

async function waitForOk(url: string, deadlineMs: number): Promise<Response> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (started?.exitCode !== null || started?.signalCode !== null)
      throw new Error(`npm start exited (${started?.exitCode}) before ${url} answered:\n${output}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return response;
      lastError = new Error(`${url} answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
  throw new Error(`${url} never answered 200 (${String(lastError)}):\n${output}`);
}

beforeAll(async () => {
  const taken = [];
  for (const port of Object.values(DEFAULT_PORTS)) if (!(await portIsFree(port))) taken.push(port);
  if (taken.length > 0)
    throw new Error(`default ports already in use (${taken.join(', ')}): stop whatever runs there (an \`npm start\`?) and rerun`);
  database = await createEmptyDatabase();
  redis = await createTestRedis();
});

afterAll(async () => {
  // Whatever is left of the group (a failed assertion above), killed; ESRCH: nothing was left.
  if (started?.pid) {
    try {
      process.kill(-started.pid, 'SIGKILL');
    } catch {
      // the group is gone
    }
  }
  await redis?.cleanup();
  await database?.drop();
});

it('applies the migrations to an empty database, serves every long-running app on its default port, and mails a working verification link to the local inbox', async () => {
  started = spawn('npm', ['start'], {
    cwd: REPOSITORY_ROOT,
    detached: true, // its own process group, so nothing it starts outlives the test
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      APP_ENV: 'dev',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      npm_config_update_notifier: 'false',
    },
  });
  started.stdout?.on('data', (chunk) => (output += chunk));
  started.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    started?.on('exit', (code, signal) => resolve({ code, signal })),
  );

  await waitForOk(`http://127.0.0.1:${DEFAULT_PORTS.publicApi}/health`, 90_000);
  const migrations = await withPgClient(database.url, (client) =>
    client.query<{ n: string }>('SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL'),
  );
  expect(Number(migrations.rows[0]?.n)).toBeGreaterThan(0);

  const register = await fetch(`http://127.0.0.1:${DEFAULT_PORTS.publicApi}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'newcomer@example.com',
      password: 'a long and unusual passphrase 42',
      first_name: 'New',
      last_name: 'Comer',
    }),
  });
  expect(register.status).toBe(201);

  for (const port of [DEFAULT_PORTS.adminApi, DEFAULT_PORTS.grpcMetrics, DEFAULT_PORTS.relayMetrics]) {
    expect((await waitForOk(`http://127.0.0.1:${port}/ready`, 60_000)).status).toBe(200);
  }
  expect(await portIsFree(DEFAULT_PORTS.grpc)).toBe(false);

  // What a newcomer does next: open the local mail catcher's inbox, find the verification mail the
  // registration queued, and follow its link (the page POSTs the token to the API).
  const inbox = await waitForOk(`http://127.0.0.1:${DEFAULT_PORTS.mailInbox}/`, 30_000);
  expect(await inbox.text()).toContain('Local mail catcher');
  const deadline = Date.now() + 60_000;
  let caught: Array<{ to: string[]; subject: string; text: string }> = [];
  while (Date.now() < deadline) {
    const all = (await (await fetch(`http://127.0.0.1:${DEFAULT_PORTS.mailInbox}/api/messages`)).json()) as typeof caught;
    caught = all.filter((message) => message.to.includes('newcomer@example.com'));
    if (caught.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
  expect(caught[0]?.subject).toBe('Confirm your email address');
  const link = /(http:\/\/localhost:\d+\/verify-email)\?token=([^\s]+)/.exec(caught[0]?.text ?? '');
  expect(link?.[1]).toBe(`http://localhost:${DEFAULT_PORTS.publicApi}/verify-email`);
  const page = await fetch(`http://127.0.0.1:${DEFAULT_PORTS.publicApi}/verify-email?token=${link?.[2]}`);
  expect(page.status).toBe(200);
  const verify = await fetch(`http://127.0.0.1:${DEFAULT_PORTS.publicApi}/api/v1/auth/email/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: decodeURIComponent(link?.[2] ?? '') }),
  });
  expect(verify.status).toBe(204);
  const verified = await withPgClient(database.url, (client) =>
    client.query<{ email_verified: boolean }>(
      `SELECT email_verified_at IS NOT NULL AS email_verified FROM users WHERE email = 'newcomer@example.com'`,
    ),
  );
  expect(verified.rows[0]?.email_verified).toBe(true);

  // Ctrl-C in the terminal reaches the whole foreground process group.
  if (started.pid) process.kill(-started.pid, 'SIGINT');
  const exit = await exited;
  expect(exit.code === 0 || exit.signal === 'SIGINT').toBe(true);
  for (const port of Object.values(DEFAULT_PORTS)) expect(await portIsFree(port)).toBe(true);
}, 180_000);
