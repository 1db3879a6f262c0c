import os from 'node:os';
import path from 'node:path';
import { startCpuWindow, type CpuWindow } from './cpu-accounting';
import { WORKSPACE_ROOT, type PrivateInfrastructure } from './infrastructure';
import type { BenchOptions } from './options';
import { benchUsers, registeredUsers, type BenchUser } from './users';
import {
  appNodeFlags,
  firstMessage,
  freePort,
  spawnNode,
  startApp,
  waitForHttp,
  type AppName,
  type BenchProcess,
  type RunDirectories,
} from './processes';

/**
 * What every scenario shares: the run's options and private infrastructure, and how to start the
 * apps with production settings. Settings (docs/benchmarks.md, "Settings"):
 *   APP_ENV=prod, NODE_ENV=production, `node --enable-source-maps dist/apps/<app>/main.js` — what
 *   the container images run; secrets generated for the run (ES256 key ring, a 64-hex gRPC token);
 *   LOG_LEVEL=info (--log-level) — one JSON access line per request is written (docs/observability.md#logs) and its
 *   cost is measured (prod's configured level, warn, drops those lines); output goes to a file, as a
 *   container runtime would take it; production Argon2id parameters (m=65536 t=1 p=4); RATE_LIMIT_ENABLED=false —
 *   one client IP drives thousands of requests per second (the per-IP budget is 100/min); account
 *   throttling stays on (it counts failures only; every benchmark login succeeds).
 */
export interface BenchContext {
  options: BenchOptions;
  infra: PrivateInfrastructure;
  dirs: RunDirectories;
  cores: number;
  log(line: string): void;
  startUserApi(name: string): Promise<UserApiProcess>;
  /** The run's accounts; registered through a short-lived user-api when no scenario did it yet. */
  seededUsers(): Promise<BenchUser[]>;
  startUserGrpc(name: string): Promise<UserGrpcProcess>;
  startRelay(name: string): Promise<RelayProcess>;
  /** A baseline server/worker (tools/bench/src/baselines/<file>.ts) with an IPC channel. */
  startBaseline<Ready>(name: string, file: string, env?: Record<string, string>): Promise<{ process: BenchProcess; ready: Ready }>;
  /** Starts accounting CPU time for a measured window with `app` as the process(es) under test. */
  cpuWindow(...app: BenchProcess[]): Promise<CpuWindow>;
  /** One run of audit-cleanup-worker (it exits by itself when done). */
  startCleanupWorker(): BenchProcess;
}

export interface UserApiProcess {
  process: BenchProcess;
  publicUrl: string;
  adminUrl: string;
}

export interface UserGrpcProcess {
  process: BenchProcess;
  address: string;
  metricsUrl: string;
}

export interface RelayProcess {
  process: BenchProcess;
  metricsUrl: string;
}

/** The production Argon2id parameters (docs/accounts.md#passwords), given explicitly to user-api and the baseline. */
export const PRODUCTION_ARGON2 = { ARGON2_MEMORY_KIB: '65536', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '4' };

export function createContext(
  options: BenchOptions,
  infra: PrivateInfrastructure,
  dirs: RunDirectories,
  log: (line: string) => void,
  redisPid: number | null,
): BenchContext {
  const shared = (): Record<string, string> => ({
    APP_ENV: 'prod',
    NODE_ENV: 'production',
    LOG_LEVEL: options.logLevel,
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    REDIS_KEY_PREFIX: infra.redisKeyPrefix,
    HOST: '127.0.0.1',
    // The bench's private PostgreSQL and Redis listen on loopback without TLS (and it may turn the
    // rate limits off): production's transport rules are waived, as on any private network.
    ALLOW_INSECURE_PRIVATE_NETWORK: 'true',
  });
  const postgresBackends = async () =>
    (await infra.sql<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = ANY($1)', [infra.databaseNames()])).map(
      (row) => row.pid,
    );

  // event-relay delivers mail too, and requires an SMTP server outside dev/test: the local mail
  // catcher (tools/mail-catcher), started on first use and stopped with every other process.
  let smtpUrl: Promise<string> | null = null;
  let catcherProcess: BenchProcess | null = null;
  const mailCatcher = () => {
    // A failed scenario stops every process, the catcher included: then it starts again.
    if (catcherProcess?.exited()) smtpUrl = null;
    return (smtpUrl ??= (async () => {
      const [smtpPort, httpPort] = [await freePort(), await freePort()];
      const catcher = spawnNode(
        'mail-catcher',
        [
          path.join(WORKSPACE_ROOT, 'tools/mail-catcher/mail-catcher.mjs'),
          '--smtp-port',
          String(smtpPort),
          '--http-port',
          String(httpPort),
        ],
        {},
        dirs,
      );
      catcherProcess = catcher;
      await waitForHttp(catcher, `http://127.0.0.1:${httpPort}/api/messages`);
      return `smtp://127.0.0.1:${smtpPort}`;
    })());
  };
  const launch = (app: AppName, name: string, env: Record<string, string>) =>
    startApp(app, name, { ...shared(), ...env, ...options.appEnv }, dirs, options.profile);

  return {
    options,
    infra,
    dirs,
    cores: os.cpus().length,
    log,
    async startUserApi(name) {
      const [publicPort, adminPort] = [await freePort(), await freePort()];
      const process = launch('user-api', name, {
        SERVER_PORT: String(publicPort),
        ADMIN_PORT: String(adminPort),
        JWT_SIGNING_KEYS: infra.signingKeys,
        MFA_ENCRYPTION_KEYS: infra.mfaEncryptionKeys,
        RATE_LIMIT_ENABLED: 'false',
        ...PRODUCTION_ARGON2,
      });
      const publicUrl = `http://127.0.0.1:${publicPort}`;
      await waitForHttp(process, `${publicUrl}/ready`);
      return { process, publicUrl, adminUrl: `http://127.0.0.1:${adminPort}` };
    },
    async seededUsers() {
      const known = registeredUsers();
      if (known) return known;
      const api = await this.startUserApi('user-api.seed');
      try {
        return await benchUsers(api.publicUrl);
      } finally {
        await api.process.stop();
      }
    },
    async startUserGrpc(name) {
      const [grpcPort, metricsPort] = [await freePort(), await freePort()];
      const process = launch('user-grpc', name, {
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: String(metricsPort),
        GRPC_AUTH_TOKENS: infra.grpcAuthTokens,
      });
      const metricsUrl = `http://127.0.0.1:${metricsPort}`;
      await waitForHttp(process, `${metricsUrl}/ready`);
      return { process, address: `127.0.0.1:${grpcPort}`, metricsUrl };
    },
    async startRelay(name) {
      const metricsPort = await freePort();
      const process = launch('event-relay', name, { METRICS_PORT: String(metricsPort), SMTP_URL: await mailCatcher() });
      const metricsUrl = `http://127.0.0.1:${metricsPort}`;
      await waitForHttp(process, `${metricsUrl}/ready`);
      return { process, metricsUrl };
    },
    async startBaseline<Ready>(name: string, file: string, env: Record<string, string> = {}) {
      // Profiled like the apps, so that a profile of each side of a ratio can be read side by side.
      const process = spawnNode(name, [path.join(__dirname, 'baselines', file)], { NODE_ENV: 'production', ...env }, dirs, {
        nodeFlags: ['--import', 'tsx', ...appNodeFlags(name, dirs, options.profile).filter((flag) => flag.startsWith('--cpu-prof'))],
        ipc: true,
      });
      const ready = await firstMessage<Ready>(process);
      return { process, ready };
    },
    cpuWindow: (...app) => startCpuWindow({ app: app.map((processInfo) => processInfo.pid), redis: redisPid, postgresBackends }),
    startCleanupWorker: () => launch('audit-cleanup-worker', 'audit-cleanup-worker', {}),
  };
}
