import { randomBytes, randomUUID } from 'node:crypto';
import {
  AesGcmSecretBox,
  Argon2PasswordHasher,
  CachedSessionPrincipalStore,
  JwtAccessTokenService,
  KeyRing,
  OpaqueRefreshTokenService,
  OtpAuthTotpVerifier,
  RandomOneTimeSecrets,
} from '@pandora/auth';
import type { UserApiConfig } from '@pandora/config';
import {
  checkDatabase,
  checkRedis,
  createRedisClient,
  createRepositories,
  Database,
  PgUnitOfWork,
  translateInfrastructureError,
} from '@pandora/data-access';
import { RedisIdempotencyStore, RedisLoginThrottle, ResilientLoginThrottle, SlidingWindowRateLimiter } from '@pandora/abuse-controls';
import { systemClock, type Clock, type LoginThrottle, type Principal } from '@pandora/domain';
import { createUseCases, type UseCases } from '@pandora/use-cases';
import { createHttpApp, type Authenticator, type HttpApp, type ReadinessProbe } from '@pandora/http-kit';
import { AppMetrics, createLogger, type Logger } from '@pandora/observability';
import { accountRoutes } from './http/routes/account.routes';
import { adminAuditRoutes } from './http/routes/admin-audit.routes';
import { adminAuthRoutes } from './http/routes/admin-auth.routes';
import { adminUserRoutes } from './http/routes/admin-users.routes';
import { authRoutes } from './http/routes/auth.routes';
import { jwksRoutes } from './http/routes/jwks.routes';
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
  /** Readiness turns 503 from here on. */
  beginShutdown(): void;
  /** Closes the database pool and the Redis connection. */
  close(): Promise<void>;
}

export interface UserApiOverrides {
  logger?: Logger;
  clock?: Clock;
}

const READINESS_TIMEOUT_MS = 1_000;
/** What authenticator apps show beside the account name. */
const TOTP_ISSUER = 'Pandora Exchange';

export interface UserServiceCore {
  useCases: UseCases;
  keyRing: KeyRing;
  db: Database;
}

/**
 * The use cases wired to PostgreSQL, the key ring and Argon2 — everything user-api needs except
 * its HTTP listeners. The admin CLI uses it too, so both run exactly the same domain code.
 */
export async function createUserServiceCore(
  config: UserApiConfig,
  { logger, clock, metrics, loginThrottle }: { logger: Logger; clock: Clock; metrics: AppMetrics; loginThrottle: LoginThrottle },
): Promise<UserServiceCore> {
  const db = new Database({ url: config.database.url, poolMax: config.database.poolMax, applicationName: 'user-api' });
  let keyRing: KeyRing;
  if (config.auth.signingKeys) {
    keyRing = await KeyRing.fromConfig(config.auth.signingKeys);
  } else {
    keyRing = await KeyRing.generateEphemeral();
    logger.warn('JWT_SIGNING_KEYS is not set: generated an ephemeral ES256 signing key (tokens die with this process)', {
      kid: keyRing.activeKey().kid,
    });
  }

  let mfaKeys = config.mfa.encryptionKeys;
  if (!mfaKeys) {
    mfaKeys = [{ kid: `ephemeral-${randomBytes(4).toString('hex')}`, key: randomBytes(32) }];
    logger.warn(
      'MFA_ENCRYPTION_KEYS is not set: generated an ephemeral MFA encryption key (TOTP secrets enrolled now cannot be read after a restart)',
      { kid: mfaKeys[0]?.kid },
    );
  }

  const hasher = new Argon2PasswordHasher(config.argon2, metrics.hashTimer());
  await hasher.warmUp();
  const repositories = createRepositories(db);
  const useCases = createUseCases({
    uow: new PgUnitOfWork(db),
    repositories,
    hasher,
    accessTokens: new JwtAccessTokenService(
      keyRing,
      { issuer: config.auth.issuer, audience: config.auth.audience, ttlMs: config.auth.accessTokenTtlMs },
      clock,
    ),
    refreshTokens: new OpaqueRefreshTokenService(),
    principals: new CachedSessionPrincipalStore(
      (sessionId) => repositories.sessions.loadPrincipal(sessionId),
      config.auth.sessionCacheTtlMs,
    ),
    loginThrottle,
    clock,
    ids: { newId: randomUUID },
    metrics: metrics.domain(),
    securityLog: { record: (event, fields) => logger.security(event, fields) },
    totp: new OtpAuthTotpVerifier(clock),
    secretBox: new AesGcmSecretBox(mfaKeys),
    oneTimeSecrets: new RandomOneTimeSecrets(),
    settings: {
      auth: {
        refreshTokenTtlMs: config.auth.refreshTokenTtlMs,
        sessionAbsoluteTtlMs: config.auth.sessionAbsoluteTtlMs,
        refreshReuseGraceMs: config.auth.refreshReuseGraceMs,
      },
      auditRetentionDays: config.audit.retentionDays,
      mfa: { challengeTtlMs: config.mfa.challengeTtlMs, totpIssuer: TOTP_ISSUER },
    },
  });
  return { useCases, keyRing, db };
}

/** Builds user-api from its configuration: adapters → use cases → the two HTTP listeners. */
export async function createUserApi(config: UserApiConfig, overrides: UserApiOverrides = {}): Promise<UserApi> {
  const logger = overrides.logger ?? createLogger({ service: 'user-api', level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const metrics = new AppMetrics('user-api');

  const redis = createRedisClient({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, connectionName: 'user-api' });
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
  const loginThrottle = new ResilientLoginThrottle(
    new RedisLoginThrottle(redis, config.loginLockout),
    config.loginLockout,
    degraded('login_throttle'),
  );
  const { useCases, keyRing, db } = await createUserServiceCore(config, { logger, clock, metrics, loginThrottle });
  const limiter = new SlidingWindowRateLimiter(redis, {
    rejected: (limit) => metrics.rateLimitRejectionsTotal.inc({ limit }),
    degraded: (limit, error) => degraded(`rate_limit_${limit}`)(error),
  });
  const idempotency = new RedisIdempotencyStore(redis, config.idempotency.ttlMs);
  const limits = config.rateLimits;

  let shuttingDown = false;
  const probe: ReadinessProbe = {
    checks: {
      database: () => checkDatabase(db, READINESS_TIMEOUT_MS),
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
    guards: limits.enabled
      ? { limiter, idempotency, perIp: { name: 'ip', ...limits.perIp }, perUser: { name: 'user', ...limits.perUser } }
      : { idempotency },
    routes: [
      ...authRoutes(useCases, limits),
      ...accountRoutes(useCases),
      ...mfaRoutes(useCases),
      ...sessionRoutes(useCases),
      ...jwksRoutes(keyRing),
    ],
    openApi: {
      title: 'Pandora Exchange user service — public API',
      version: '1.0.0',
      description: 'Registration, login, sessions and the account of the authenticated user.',
    },
  });
  const adminApp = createHttpApp<Principal>({
    ...listenerOptions,
    // The admin port is private: no per-IP/per-user budgets, but admin login is limited like login.
    // ADMIN_MFA_REQUIRED: every admin route but login and MFA verify needs an `aal: 2` session.
    guards: {
      ...(limits.enabled ? { limiter } : {}),
      idempotency,
      ...(config.mfa.adminRequired ? { adminSecondFactor: true } : {}),
    },
    routes: [...adminAuthRoutes(useCases, limits), ...adminUserRoutes(useCases), ...adminAuditRoutes(useCases)],
    openApi: {
      title: 'Pandora Exchange user service — admin API',
      version: '1.0.0',
      description: 'Operations for compliance and support staff (administrators only).',
    },
  });

  await redisFirstAttempt;
  return {
    config,
    logger,
    metrics,
    useCases,
    keyRing,
    publicApp,
    adminApp,
    beginShutdown: () => {
      shuttingDown = true;
    },
    close: async () => {
      await db.close();
      redis.disconnect();
    },
  };
}
