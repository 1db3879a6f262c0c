import fs from 'node:fs';
import path from 'node:path';
import type { KeyRing } from '@pandora/auth';
import { logWaivedTransportRules, type UserApiConfig } from '@pandora/config';
import { RedisIdempotencyStore, RedisLoginThrottle, ResilientLoginThrottle, SlidingWindowRateLimiter } from '@pandora/abuse-controls';
import { systemClock, type Clock, type LoginThrottle, type Principal } from '@pandora/domain';
import { createUseCases, type UseCases } from '@pandora/use-cases';
import { checkRedis, closeRedisClient, createPorts, createRedisClient, translateInfrastructureError, type Database } from '@pandora/wiring';
import { createHttpApp, linkPages, type Authenticator, type HttpApp, type ReadinessProbe } from '@pandora/http-kit';
import { AppMetrics, createLogger, type Logger } from '@pandora/observability';
import { accountRoutes } from './http/routes/account.routes';
import { accountSecurityRoutes } from './http/routes/account-security.routes';
import { adminAuditRoutes } from './http/routes/admin-audit.routes';
import { adminAuthRoutes } from './http/routes/admin-auth.routes';
import { adminUserRoutes } from './http/routes/admin-users.routes';
import { authRoutes } from './http/routes/auth.routes';
import { jwksRoutes } from './http/routes/jwks.routes';
import { BackgroundWork } from './http/background-work';
import { MAIL_LINK_PAGES } from './http/link-pages';
import { mailFlowRoutes } from './http/routes/mail-flow.routes';
import { mfaRoutes } from './http/routes/mfa.routes';
import { sessionRoutes } from './http/routes/session.routes';

export interface UserApi {
  config: UserApiConfig;
  logger: Logger;
  metrics: AppMetrics;
  useCases: UseCases;
  keyRing: KeyRing;
  publicApp: HttpApp;
  adminApp: HttpApp;
  /** Work requests started without waiting for it (the password-recovery lookup); `close` waits for it. */
  background: BackgroundWork;
  /** Readiness turns 503 from here on. */
  beginShutdown(): void;
  /** Closes the database pool, the Redis connection and the Argon2 helper processes. */
  close(): Promise<void>;
}

export interface UserApiOverrides {
  logger?: Logger;
  clock?: Clock;
  /** The built admin console served at /console on the admin listener (main.ts: `console/` beside the bundle). */
  consoleDirectory?: string;
}

const READINESS_TIMEOUT_MS = 1_000;
/** Where the admin listener serves the admin console (README.md, "The admin console"). */
export const ADMIN_CONSOLE_PATH = '/console';

export interface UserServiceCore {
  useCases: UseCases;
  keyRing: KeyRing;
  database: Database;
  /** Stops the Argon2 helper processes (ARGON2_WORKERS), if any. */
  closeHasher(): Promise<void>;
}

/**
 * The use cases wired to PostgreSQL, the key ring and Argon2 — everything user-api needs except
 * its HTTP listeners. The admin CLI uses it too, so both run exactly the same domain code.
 */
export async function createUserServiceCore(
  config: UserApiConfig,
  { logger, clock, metrics, loginThrottle }: { logger: Logger; clock: Clock; metrics: AppMetrics; loginThrottle: LoginThrottle },
): Promise<UserServiceCore> {
  const { ports, keyRing, database, closeHasher } = await createPorts(config, {
    applicationName: 'user-api',
    logger,
    clock,
    metrics,
    loginThrottle,
  });
  return { useCases: createUseCases(ports), keyRing, database, closeHasher };
}

/** Builds user-api from its configuration: adapters → use cases → the two HTTP listeners. */
export async function createUserApi(config: UserApiConfig, overrides: UserApiOverrides = {}): Promise<UserApi> {
  const logger = overrides.logger ?? createLogger({ service: 'user-api', level: config.logLevel, nonBlockingStdout: true });
  logWaivedTransportRules(config.waivedTransportRules, logger);
  const clock = overrides.clock ?? systemClock;
  const metrics = new AppMetrics('user-api');

  const redis = createRedisClient({ connection: config.redis, connectionName: 'user-api' });
  redis.on('error', (error: Error) => logger.warn('redis connection error', { error: error.message }));
  // Awaited below, but a failure does not stop the start: the API serves logins and reads while
  // Redis is away (ARCHITECTURE.md, failure policy). Waiting for the first attempt (≤ the 2 s connect
  // timeout) keeps a fresh replica from failing its first requests' limits open for nothing.
  const redisFirstAttempt = redis.connect().then(
    () => undefined,
    (error: Error) => logger.warn('redis not reachable at start-up', { error: error.message }),
  );
  const degraded = (component: string) => (error: Error) => {
    metrics.redisDegradedTotal.inc({ component });
    logger.warn('redis unavailable; degraded decision', { component, error: error.message });
  };
  // Failed logins per (client IP, email) are counted by the login throttle, beside the account
  // lock: only it knows whether an attempt failed (a success must not use up the budget).
  const loginThrottleSettings = { ...config.loginLockout, perSource: config.rateLimits.enabled ? config.rateLimits.login : null };
  const loginThrottle = new ResilientLoginThrottle(
    new RedisLoginThrottle(redis, loginThrottleSettings),
    loginThrottleSettings,
    degraded('login_throttle'),
  );
  const { useCases, keyRing, database, closeHasher } = await createUserServiceCore(config, { logger, clock, metrics, loginThrottle });
  const limiter = new SlidingWindowRateLimiter(redis, {
    rejected: (limit) => metrics.rateLimitRejectionsTotal.inc({ limit }),
    degraded: (limit, error) => degraded(`rate_limit_${limit}`)(error),
  });
  const idempotency = new RedisIdempotencyStore(redis, config.idempotency.ttlMs);
  const limits = config.rateLimits;
  const background = new BackgroundWork(logger);

  let shuttingDown = false;
  const probe: ReadinessProbe = {
    checks: {
      database: () => database.check(READINESS_TIMEOUT_MS),
      redis: () => checkRedis(redis, READINESS_TIMEOUT_MS),
    },
    isShuttingDown: () => shuttingDown,
  };
  const authenticator: Authenticator<Principal> = {
    authenticate: (token) => useCases.authenticate.execute(token),
    describe: (principal) => ({ userId: principal.userId, role: principal.role, aal: principal.aal }),
  };
  const listenerOptions = {
    logger,
    metrics,
    trustProxy: config.http.trustProxy,
    corsAllowedOrigins: config.http.corsAllowedOrigins,
    bodyLimitBytes: config.http.bodyLimitBytes,
    hsts: config.appEnv !== 'dev' && config.appEnv !== 'test',
    authenticator,
    translateError: translateInfrastructureError,
    probe,
  };

  const publicApp = createHttpApp<Principal>({
    ...listenerOptions,
    // /metrics only on the admin port: it shows admin routes and outcomes such as a non-admin's right
    // password at the admin login (result="forbidden"), which the public answer keeps hidden.
    exposeMetrics: false,
    guards: limits.enabled
      ? { limiter, idempotency, perIp: { name: 'ip', ...limits.perIp }, perUser: { name: 'user', ...limits.perUser } }
      : { idempotency },
    routes: [
      ...authRoutes(useCases, limits),
      ...accountRoutes(useCases),
      ...mailFlowRoutes(useCases, limits, background),
      ...mfaRoutes(useCases),
      ...accountSecurityRoutes(useCases),
      ...sessionRoutes(useCases),
      ...jwksRoutes(keyRing),
      // The pages the links in mails open (docs/mail.md#the-link-pages).
      ...linkPages<Principal>(MAIL_LINK_PAGES),
    ],
    openApi: {
      title: 'Pandora Exchange user service — public API',
      version: '1.0.0',
      description: 'Registration, login, sessions and the account of the authenticated user.',
    },
  });
  const adminApp = createHttpApp<Principal>({
    ...listenerOptions,
    // The admin port is private: no per-IP/per-user budgets (admin login is limited like login, by the login throttle).
    // ADMIN_MFA_REQUIRED: every admin route but login and MFA verify needs an `aal: 2` session.
    guards: config.mfa.adminRequired ? { idempotency, adminSecondFactor: true } : { idempotency },
    routes: [...adminAuthRoutes(useCases), ...adminUserRoutes(useCases), ...adminAuditRoutes(useCases)],
    singlePageApps: [{ mountPath: ADMIN_CONSOLE_PATH, directory: overrides.consoleDirectory }],
    openApi: {
      title: 'Pandora Exchange user service — admin API',
      version: '1.0.0',
      description: 'Operations for compliance and support staff (administrators only).',
    },
  });

  if (overrides.consoleDirectory && !fs.existsSync(path.join(overrides.consoleDirectory, 'index.html'))) {
    logger.warn('the admin console is not built: /console answers 404 (run `npm run build`)', { directory: overrides.consoleDirectory });
  }

  await redisFirstAttempt;
  return {
    config,
    logger,
    metrics,
    useCases,
    keyRing,
    publicApp,
    adminApp,
    background,
    beginShutdown: () => {
      shuttingDown = true;
    },
    close: async () => {
      await background.settled();
      await database.close();
      await closeHasher();
      await closeRedisClient(redis);
    },
  };
}
