import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createEmptyDatabase,
  createTestDatabase,
  createTestRedis,
  freePort,
  spanAttribute,
  startFakeOtlpCollector,
  withPgClient,
  type ExportedSpan,
  type TestDatabase,
  type TestRedis,
} from '@pandora/testing';
import { appsPresent, EMBEDDED_APPS, REPOSITORY_ROOT, type AppName } from '../src/repository';

/**
 * No Docker engine runs here, so the images are reproduced as directories, exactly as the
 * Dockerfile assembles them: the production-only dependency set (`npm prune --omit=dev` of the
 * lockfile install, as the prod-deps stage does), one app bundled from a copy of its sources (the
 * build stage), and the migrate layout. Each is then started the way the container starts it, as an
 * unprivileged user that cannot write to the image: a runtime dependency that was declared as a dev
 * dependency, a file the bundle expects beside it, or a write outside /tmp fails here.
 */
const NOBODY = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

let workdir: string;
const layout = (name: string) => path.join(workdir, name);

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

interface Started {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  stop(): void;
}

function start(cwd: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, args, {
    cwd,
    ...NOBODY,
    // What the image sets (ENV NODE_ENV, HOME) plus what the deployment passes; nothing inherited.
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_ENV: 'production', HOME: '/tmp', CHECKPOINT_DISABLE: '1', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { exit, output: () => output, stop: () => child.kill('SIGTERM') };
}

/** Polls the image's own HEALTHCHECK script until it passes (generous deadline: 2 shared cores). */
async function waitHealthy(cwd: string, portVariable: string, port: number, app: Started): Promise<void> {
  const deadline = Date.now() + 60_000;
  let exited = false;
  void app.exit.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    const check = start(cwd, ['healthcheck.mjs', portVariable, '1', '/ready'], { [portVariable]: String(port) });
    if ((await check.exit).code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
  throw new Error(`never became ready (${exited ? 'exited' : 'timed out'}):\n${app.output()}`);
}

/** How each image is started and checked: the servers by their readiness, the worker by its exit code. */
const STARTS: Record<
  AppName,
  {
    env: (ports: number[]) => Record<string, string>;
    args: string[];
    readyOn?: { variable: string; index: number };
    /** What else the running layout must serve. */
    serves?: (ports: number[]) => Promise<void>;
  }
> = {
  'user-api': {
    env: ([server, admin]) => ({ SERVER_PORT: String(server), ADMIN_PORT: String(admin) }),
    args: [],
    readyOn: { variable: 'SERVER_PORT', index: 0 },
    // The admin console, built beside the bundle, on the admin port with its CSP and assets.
    serves: async ([, admin]) => {
      const page = await fetch(`http://127.0.0.1:${admin}/console/users`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
      const html = await page.text();
      const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]);
      expect(assets.length).toBeGreaterThanOrEqual(2);
      for (const asset of assets)
        expect({ asset, status: (await fetch(`http://127.0.0.1:${admin}${asset}`)).status }).toEqual({ asset, status: 200 });
    },
  },
  'user-grpc': {
    env: ([grpc, metrics]) => ({ GRPC_PORT: String(grpc), METRICS_PORT: String(metrics), GRPC_AUTH_TOKENS: 'image-layout-test-token' }),
    args: [],
    readyOn: { variable: 'METRICS_PORT', index: 1 },
  },
  'event-relay': { env: ([metrics]) => ({ METRICS_PORT: String(metrics) }), args: [], readyOn: { variable: 'METRICS_PORT', index: 0 } },
  'audit-cleanup-worker': { env: () => ({}), args: ['--dry-run'] },
};

const present = appsPresent();
let database: TestDatabase;
let redis: TestRedis;
let before: Record<string, string[]>;

beforeAll(async () => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-layout-'));
  fs.chmodSync(workdir, 0o755);

  // prod-deps stage: the lockfile install (hard links of ours), pruned to production dependencies.
  const runtime = layout('runtime');
  fs.mkdirSync(runtime);
  for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(REPOSITORY_ROOT, file), path.join(runtime, file));
  run('cp', ['-al', path.join(REPOSITORY_ROOT, 'node_modules'), path.join(runtime, 'node_modules')], workdir);
  // npm rewrites its hidden lockfile: give the copy a file of its own so ours is never touched.
  fs.rmSync(path.join(runtime, 'node_modules/.package-lock.json'));
  fs.copyFileSync(path.join(REPOSITORY_ROOT, 'node_modules/.package-lock.json'), path.join(runtime, 'node_modules/.package-lock.json'));
  run('npm', ['prune', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], runtime);
  fs.rmSync(path.join(runtime, 'node_modules/.cache'), { recursive: true, force: true });
  fs.copyFileSync(path.join(REPOSITORY_ROOT, 'deployments/docker/healthcheck.mjs'), path.join(runtime, 'healthcheck.mjs'));

  // build stages: a copy of the shared sources plus each app's own directory, bundled by the one recipe.
  const build = layout('build');
  const embedded = present.flatMap((app) => EMBEDDED_APPS[app].map((name) => `apps/${name}`));
  for (const entry of [
    'tsconfig.base.json',
    'tools/scripts/build-app.mjs',
    'tools/scripts/build-console.mjs',
    'libs',
    'proto',
    ...embedded,
    ...present.map((app) => `apps/${app}`),
  ]) {
    fs.cpSync(path.join(REPOSITORY_ROOT, entry), path.join(build, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPOSITORY_ROOT, 'node_modules'), path.join(build, 'node_modules'));
  run(process.execPath, ['tools/scripts/build-app.mjs', ...present], build);

  // the targets: runtime + one bundle each, runtime + the Prisma schema and migrations.
  for (const app of present) {
    run('cp', ['-al', runtime, layout(app)], workdir);
    fs.cpSync(path.join(build, 'dist/apps', app), path.join(layout(app), 'dist/apps', app), { recursive: true });
  }
  run('cp', ['-al', runtime, layout('migrate')], workdir);
  fs.copyFileSync(path.join(REPOSITORY_ROOT, 'prisma.config.ts'), path.join(layout('migrate'), 'prisma.config.ts'));
  fs.cpSync(path.join(REPOSITORY_ROOT, 'libs/data-access/prisma'), path.join(layout('migrate'), 'libs/data-access/prisma'), {
    recursive: true,
  });

  before = Object.fromEntries([...present, 'migrate'].map((name) => [name, listFiles(layout(name))]));
  database = await createTestDatabase();
  redis = await createTestRedis();
}, 180_000);

afterAll(async () => {
  await database?.drop();
  await redis?.cleanup();
  fs.rmSync(workdir, { recursive: true, force: true });
});

describe('the image layouts', () => {
  it('contain no development dependency', () => {
    const modules = fs.readdirSync(path.join(layout('runtime'), 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['express', '@prisma', 'prisma', 'pg', 'ioredis']));
    // Prisma is the migration tool only: no ORM client, nothing generated at install time.
    expect(fs.existsSync(path.join(layout('runtime'), 'node_modules/@prisma/client'))).toBe(false);
    expect(fs.existsSync(path.join(layout('runtime'), 'node_modules/.prisma'))).toBe(false);
    for (const devOnly of ['jest', 'esbuild', 'eslint', 'nx', 'tsx', 'supertest', 'testcontainers']) expect(modules).not.toContain(devOnly);
  });

  it('run the migrations from the migrate layout, as an unprivileged user, on an empty database', async () => {
    const empty = await createEmptyDatabase();
    try {
      const migration = start(layout('migrate'), ['node_modules/prisma/build/index.js', 'migrate', 'deploy'], { DATABASE_URL: empty.url });
      const result = await migration.exit;
      expect({ code: result.code, output: migration.output() }).toEqual({
        code: 0,
        output: expect.stringContaining('successfully applied'),
      });
      const migrations = fs
        .readdirSync(path.join(REPOSITORY_ROOT, 'libs/data-access/prisma/migrations'))
        .filter((name) => /^\d{14}_/.test(name));
      const applied = await withPgClient(empty.url, (client) =>
        client.query('SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL'),
      );
      expect(applied.rows[0].n).toBe(migrations.length);
    } finally {
      await empty.drop();
    }
  }, 120_000);

  it.each(present)(
    'run %s from its layout as an unprivileged user (servers: ready, then a clean SIGTERM; the worker: exit 0)',
    async (app) => {
      const how = STARTS[app];
      const ports = [await freePort(), await freePort()];
      const started = start(layout(app), ['--enable-source-maps', `dist/apps/${app}/main.js`, ...how.args], {
        APP_ENV: 'dev',
        LOG_LEVEL: 'warn',
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.keyPrefix,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_PARALLELISM: '1',
        ...how.env(ports),
      });
      if (how.readyOn) {
        try {
          await waitHealthy(layout(app), how.readyOn.variable, ports[how.readyOn.index], started);
          await how.serves?.(ports);
        } finally {
          started.stop();
        }
      }
      const result = await started.exit;
      expect({ app, code: result.code, signal: result.signal }).toEqual({ app, code: 0, signal: null });
    },
    90_000,
  );

  // The tracing tests run the sources through tsx; only the bundle shows that esbuild kept
  // instrument.ts ahead of express, pg and ioredis (a library loaded first is never patched).
  it('trace HTTP, PostgreSQL and Redis from the user-api bundle when OTEL_ENABLED=true', async () => {
    const collector = await startFakeOtlpCollector();
    const [server, admin] = [await freePort(), await freePort()];
    const started = start(layout('user-api'), ['--enable-source-maps', 'dist/apps/user-api/main.js'], {
      APP_ENV: 'dev',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_PARALLELISM: '1',
      RATE_LIMIT_ENABLED: 'true',
      OTEL_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      SERVER_PORT: String(server),
      ADMIN_PORT: String(admin),
    });
    try {
      await waitHealthy(layout('user-api'), 'SERVER_PORT', server, started);
      const response = await fetch(`http://127.0.0.1:${server}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `bundle-${Date.now()}@example.com`,
          password: 'correct horse battery staple',
          first_name: 'B',
          last_name: 'U',
        }),
      });
      expect(response.status).toBe(201);
      const system = (span: ExportedSpan) => spanAttribute(span, 'db.system') ?? spanAttribute(span, 'db.system.name');
      const isServer = (span: ExportedSpan) => span.kind === 2 && span.name.includes('/api/v1/auth/register');
      const deadline = Date.now() + 15_000;
      let trace: ExportedSpan[] = [];
      while (Date.now() < deadline) {
        const root = collector.spans.find(isServer);
        trace = root ? collector.spans.filter((span) => span.traceId === root.traceId) : [];
        if (trace.some((span) => system(span) === 'postgresql') && trace.some((span) => system(span) === 'redis')) break;
        await new Promise((resolve) => setTimeout(resolve, 100)); // poll step of a wait with a deadline, not a sleep the test depends on
      }
      expect({
        server: trace.some(isServer),
        postgresql: trace.some((span) => system(span) === 'postgresql'),
        redis: trace.some((span) => system(span) === 'redis'),
      }).toEqual({
        server: true,
        postgresql: true,
        redis: true,
      });
    } finally {
      started.stop();
      await started.exit;
      await collector.close();
    }
  }, 90_000);

  it('are left exactly as built: nothing writes into the image (a read-only root filesystem works)', () => {
    for (const name of [...present, 'migrate']) expect({ name, files: listFiles(layout(name)) }).toEqual({ name, files: before[name] });
  });
});
