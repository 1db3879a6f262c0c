/**
 * The HTTP plumbing of a listener alone: `createHttpApp` (request id, access log line, security
 * headers, routing, validation, metrics) with the route count of user-api's public listener, a stub
 * authenticator and a handler that answers a fixed user — no PostgreSQL, no Redis, no JWT. Drives
 * an authenticated `GET /api/v1/users/me` with autocannon in a child process (so the load generator's
 * CPU is not counted) and prints the CPU per request of this process and of its event-loop thread.
 *
 *   npx tsx tools/bench/src/http-plumbing.ts [seconds] [routes-before] > /tmp/plumbing.log   # stdout: the access log
 *
 * `routes-before` (default 20) routes are mounted ahead of the measured one, for the router to walk
 * past (user-api's public listener mounts 7 operational and 4 auth routes ahead of it).
 *
 * On a shared machine the figures move by ±5%; compare two trees by alternating runs (A B B A).
 * docs/benchmarks.md, "Leaner request path".
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createHttpApp, routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { AppMetrics, createLogger } from '@pandora/observability';
import { WORKSPACE_ROOT } from './infrastructure';

interface Principal {
  userId: string;
  role: string;
}

const CONNECTIONS = 50;
const WARM_UP_SECONDS = 2;
const DEFAULT_ROUTES_BEFORE = 20;
const USER = {
  id: '0b9c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d',
  email: 'bench-1@example.com',
  first_name: 'Bench',
  last_name: 'User',
  role: 'user',
  kyc_status: 'pending',
  email_verified: false,
  mfa_enabled: false,
  created_at: '2026-12-03T00:00:00.000Z',
  updated_at: '2026-12-03T00:00:00.000Z',
};

function routes(routesBefore: number): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  const others = Array.from({ length: routesBefore }, (_, index) =>
    route({
      method: 'post',
      path: `/api/v1/auth/step-${index}`,
      operationId: `step${index}`,
      summary: 'A route mounted before the measured one',
      tags: ['bench'],
      auth: 'none',
      responses: { 204: { description: 'Done.' } },
      handler: () => ({ status: 204 }),
    }),
  );
  const me = route({
    method: 'get',
    path: '/api/v1/users/me',
    operationId: 'getMe',
    summary: 'The authenticated user',
    tags: ['bench'],
    auth: 'user',
    responses: { 200: { description: 'The account.' } },
    handler: ({ principal }) => Promise.resolve({ status: 200, body: { ...USER, id: principal.userId } }),
  });
  return [...others, me];
}

/** utime + stime of the event-loop thread (the thread whose id is the process id), in ms. */
function eventLoopThreadMs(): number {
  const fields = (fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function load(url: string, seconds: number): Promise<void> {
  const autocannon = path.join(WORKSPACE_ROOT, 'node_modules/autocannon/autocannon.js');
  const args = [autocannon, '-c', String(CONNECTIONS), '-d', String(seconds), '-H', 'Authorization=Bearer bench.plumbing.token', url];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 6);
  const routesBefore = Number(process.argv[3] ?? DEFAULT_ROUTES_BEFORE);
  const logger = createLogger({ service: 'user-api', level: 'info', nonBlockingStdout: true });
  const { app } = createHttpApp<Principal>({
    logger,
    metrics: new AppMetrics('user-api'),
    exposeMetrics: false,
    trustProxy: false,
    corsAllowedOrigins: [],
    bodyLimitBytes: 65_536,
    hsts: true,
    authenticator: {
      authenticate: () => Promise.resolve({ userId: USER.id, role: 'user' }),
      describe: (principal) => ({ userId: principal.userId, role: principal.role, aal: 1 }),
    },
    probe: { checks: {}, isShuttingDown: () => false },
    routes: routes(routesBefore),
    openApi: { title: 'plumbing', version: '1', description: 'bench' },
  });
  let requests = 0;
  const server = http.createServer(app).on('request', () => (requests += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/users/me`;

  await load(url, WARM_UP_SECONDS);
  const [cpu0, loop0, count0] = [process.cpuUsage(), eventLoopThreadMs(), requests];
  await load(url, seconds);
  const cpu = process.cpuUsage(cpu0);
  const [loopMs, count] = [eventLoopThreadMs() - loop0, requests - count0];
  process.stderr.write(
    `${count} requests in ${seconds} s (${Math.round(count / seconds)}/s): ` +
      `${((cpu.user + cpu.system) / count).toFixed(1)} µs CPU per request (process), ` +
      `${((loopMs * 1000) / count).toFixed(1)} µs (event-loop thread)\n`,
  );
  process.exit(0);
}

void main();
