import { z } from 'zod';
import { APP_ENV_DEFAULTS, isDeployedEnv, type AppEnv } from './app-env';
import type { Env } from './connection-urls';
import { durationSchema } from './duration';
import {
  auditRetentionDaysField,
  boolField,
  intField,
  listField,
  optionalIntField,
  portField,
  type TrustProxy,
  trustProxyField,
} from './env-fields';
import { mfaEncryptionKeysField, type MfaEncryptionKeyConfig } from './mfa-keys';
import { rateLimitFinding } from './production-transport';
import { parseEnvironment, readCacheTtlField, type SharedConfig } from './shared-config';
import { signingKeysField, type SigningKeyConfig } from './signing-keys';
import { withVaultSecrets } from './vault';

export interface Argon2Config {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
  /** ARGON2_WORKERS: helper processes that run the hashes (0: in this process). */
  workers?: number;
}

export interface UserApiConfig extends SharedConfig {
  service: 'user-api';
  http: {
    host: string;
    publicPort: number;
    adminPort: number;
    trustProxy: TrustProxy;
    corsAllowedOrigins: string[];
    shutdownTimeoutMs: number;
    /** Between SIGTERM (readiness 503) and closing the listeners: time for load balancers to notice. */
    shutdownDelayMs: number;
    bodyLimitBytes: number;
  };
  auth: {
    issuer: string;
    audience: string;
    accessTokenTtlMs: number;
    refreshTokenTtlMs: number;
    sessionAbsoluteTtlMs: number;
    refreshReuseGraceMs: number;
    /** null: none configured (a key is generated in dev/test, refused elsewhere). */
    signingKeys: SigningKeyConfig[] | null;
  };
  argon2: Argon2Config;
  /** READ_CACHE_TTL (docs/caching.md). */
  readCache: { ttlMs: number };
  audit: { retentionDays: number };
  /** docs/abuse-controls.md. Limits are per sliding window; `enabled: false` turns every rate limit off. `login` counts failed logins per (IP, email). */
  rateLimits: {
    enabled: boolean;
    perIp: { limit: number; windowMs: number };
    perUser: { limit: number; windowMs: number };
    login: { limit: number; windowMs: number };
    register: { limit: number; windowMs: number };
    /** Mails one account may cause per window: verification resends, reset mails per address, email changes. */
    mail: { limit: number; windowMs: number };
    /** Password-recovery requests per client IP. */
    recovery: { limit: number; windowMs: number };
  };
  /** Lifetimes of the tokens in mailed links (docs/mail.md). */
  mailLinks: { emailVerificationTtlMs: number; passwordResetTtlMs: number; emailChangeTtlMs: number };
  /** Account throttling; always on (not a rate limit). */
  loginLockout: { threshold: number; baseMs: number; maxMs: number };
  idempotency: { ttlMs: number };
  /** Two-factor authentication (ARCHITECTURE.md, "Multi-factor authentication"). */
  mfa: {
    /** null: none configured (a key is generated in dev/test, refused elsewhere). */
    encryptionKeys: MfaEncryptionKeyConfig[] | null;
    /** How long the second step of an MFA login may wait. */
    challengeTtlMs: number;
    /** Every admin route (but login and MFA verify) needs an `aal: 2` token. */
    adminRequired: boolean;
  };
  /** Names (never values) of the variables that came from Vault. */
  vaultKeys: string[];
}

/** Minimum Argon2id memory outside dev/test (OWASP's floor for m with t=2, p=1 is 19 MiB). */
const DEPLOYED_MIN_ARGON2_MEMORY_KIB = 19_456;

/**
 * Budgets of the abuse controls when their variable is unset. `dev` gets budgets a person exploring
 * the API by hand never reaches (README, Configuration); test, sandbox, audit and prod the
 * documented ones. The windows are the same everywhere; each variable, when set, wins.
 */
const ABUSE_CONTROL_DEFAULTS = {
  documented: { perIp: 100, perUser: 60, loginFailures: 5, registrations: 10, lockoutThreshold: 5, mails: 3, recoveries: 10 },
  dev: { perIp: 1_000, perUser: 1_000, loginFailures: 100, registrations: 1_000, lockoutThreshold: 50, mails: 30, recoveries: 1_000 },
} as const;

const ORIGIN = /^(\*|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)$/;

const userApiSchema = {
  HOST: z.string().default('0.0.0.0'),
  SERVER_PORT: portField(8080),
  ADMIN_PORT: portField(8081),
  TRUST_PROXY: trustProxyField(),
  CORS_ALLOWED_ORIGINS: listField([]).refine((origins) => origins.every((origin) => ORIGIN.test(origin)), {
    message: 'expected a comma-separated list of origins such as https://app.example.com',
  }),
  SHUTDOWN_TIMEOUT: durationSchema('10s', { max: '5m' }),
  SHUTDOWN_DELAY: durationSchema('0s', { max: '1m' }),
  JWT_ISSUER: z.string().min(1).max(200).default('pandora-exchange'),
  JWT_AUDIENCE: z.string().min(1).max(200).default('pandora-exchange-api'),
  JWT_ACCESS_TOKEN_EXPIRY: durationSchema('15m', { min: '10s', max: '24h' }),
  JWT_REFRESH_TOKEN_EXPIRY: durationSchema('168h', { min: '1m', max: '2160h' }),
  SESSION_ABSOLUTE_LIFETIME: durationSchema('720h', { min: '1m', max: '8760h' }),
  REFRESH_REUSE_GRACE: durationSchema('10s', { max: '5m' }),
  READ_CACHE_TTL: readCacheTtlField(),
  JWT_SIGNING_KEYS: signingKeysField(),
  ARGON2_MEMORY_KIB: intField(65_536, 64, 4_194_304),
  ARGON2_TIME_COST: intField(1, 1, 20),
  ARGON2_PARALLELISM: intField(4, 1, 16),
  // Opt-in until a quiet-machine run shows the helper pays for its IPC end to end (docs/benchmarks.md).
  ARGON2_WORKERS: optionalIntField(0, 16),
  RATE_LIMIT_ENABLED: boolField(true),
  RATE_LIMIT_REQUESTS_PER_WINDOW: optionalIntField(1, 1_000_000),
  RATE_LIMIT_WINDOW_DURATION: durationSchema('1m', { min: '1s', max: '24h' }),
  RATE_LIMIT_USER_REQUESTS_PER_WINDOW: optionalIntField(1, 1_000_000),
  RATE_LIMIT_LOGIN_REQUESTS: optionalIntField(1, 10_000),
  RATE_LIMIT_LOGIN_WINDOW: durationSchema('15m', { min: '1s', max: '24h' }),
  RATE_LIMIT_REGISTER_REQUESTS: optionalIntField(1, 10_000),
  RATE_LIMIT_REGISTER_WINDOW: durationSchema('1h', { min: '1s', max: '24h' }),
  RATE_LIMIT_MAIL_REQUESTS: optionalIntField(1, 10_000),
  RATE_LIMIT_MAIL_WINDOW: durationSchema('1h', { min: '1s', max: '168h' }),
  RATE_LIMIT_RECOVERY_REQUESTS: optionalIntField(1, 10_000),
  RATE_LIMIT_RECOVERY_WINDOW: durationSchema('1h', { min: '1s', max: '24h' }),
  EMAIL_VERIFICATION_TTL: durationSchema('24h', { min: '1m', max: '720h' }),
  PASSWORD_RESET_TTL: durationSchema('30m', { min: '1m', max: '24h' }),
  EMAIL_CHANGE_TTL: durationSchema('24h', { min: '1m', max: '168h' }),
  LOGIN_LOCKOUT_THRESHOLD: optionalIntField(1, 10_000),
  LOGIN_LOCKOUT_BASE: durationSchema('1m', { min: '1s', max: '24h' }),
  LOGIN_LOCKOUT_MAX: durationSchema('1h', { min: '1s', max: '168h' }),
  IDEMPOTENCY_TTL: durationSchema('24h', { min: '1s', max: '168h' }),
  AUDIT_RETENTION_DAYS: auditRetentionDaysField(),
  MFA_ENCRYPTION_KEYS: mfaEncryptionKeysField(),
  MFA_CHALLENGE_TTL: durationSchema('5m', { min: '30s', max: '15m' }),
  // Unset: on where the admin API guards real accounts (sandbox, audit, prod), off in dev/test.
  ADMIN_MFA_REQUIRED: z.string().optional(),
};

function crossFieldProblems(env: z.infer<z.ZodObject<typeof userApiSchema>>, appEnv: AppEnv): string[] {
  const problems: string[] = [];
  if (isDeployedEnv(appEnv)) {
    if (env.ARGON2_MEMORY_KIB < DEPLOYED_MIN_ARGON2_MEMORY_KIB) {
      problems.push(
        `ARGON2_MEMORY_KIB: at least ${DEPLOYED_MIN_ARGON2_MEMORY_KIB} when APP_ENV=${appEnv} (got "${env.ARGON2_MEMORY_KIB}")`,
      );
    }
    if (env.CORS_ALLOWED_ORIGINS.includes('*')) problems.push('CORS_ALLOWED_ORIGINS: "*" is only allowed in dev/test');
  }
  if (env.ADMIN_MFA_REQUIRED !== undefined && !boolField(false).safeParse(env.ADMIN_MFA_REQUIRED).success) {
    problems.push(`ADMIN_MFA_REQUIRED: expected true or false (got "${env.ADMIN_MFA_REQUIRED}")`);
  }
  if (env.ARGON2_MEMORY_KIB < 8 * env.ARGON2_PARALLELISM) problems.push('ARGON2_MEMORY_KIB: must be at least 8 × ARGON2_PARALLELISM');
  if (env.LOGIN_LOCKOUT_MAX < env.LOGIN_LOCKOUT_BASE) problems.push('LOGIN_LOCKOUT_MAX: must not be shorter than LOGIN_LOCKOUT_BASE');
  if (env.SERVER_PORT !== 0 && env.SERVER_PORT === env.ADMIN_PORT) {
    problems.push('ADMIN_PORT: must differ from SERVER_PORT (the admin API is a separate listener)');
  }
  return problems;
}

/** Validates the environment of user-api. Synchronous: Vault values must already be merged in. */
export function buildUserApiConfig(rawEnv: Env, vaultKeys: string[] = []): UserApiConfig {
  const shared = parseEnvironment('user-api', rawEnv, userApiSchema, crossFieldProblems, ['JWT_SIGNING_KEYS', 'MFA_ENCRYPTION_KEYS'], {
    transport: (env) => [rateLimitFinding('RATE_LIMIT_ENABLED', env.RATE_LIMIT_ENABLED)],
  });
  const { env } = shared;
  const budgets = shared.appEnv === 'dev' ? ABUSE_CONTROL_DEFAULTS.dev : ABUSE_CONTROL_DEFAULTS.documented;
  return {
    service: 'user-api',
    appEnv: shared.appEnv,
    logLevel: shared.logLevel,
    database: shared.database,
    waivedTransportRules: shared.waivedTransportRules,
    redis: shared.redis,
    http: {
      host: env.HOST,
      publicPort: env.SERVER_PORT,
      adminPort: env.ADMIN_PORT,
      trustProxy: env.TRUST_PROXY,
      corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT,
      shutdownDelayMs: env.SHUTDOWN_DELAY,
      bodyLimitBytes: 16 * 1024,
    },
    auth: {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTokenTtlMs: env.JWT_ACCESS_TOKEN_EXPIRY,
      refreshTokenTtlMs: env.JWT_REFRESH_TOKEN_EXPIRY,
      sessionAbsoluteTtlMs: env.SESSION_ABSOLUTE_LIFETIME,
      refreshReuseGraceMs: env.REFRESH_REUSE_GRACE,
      signingKeys: env.JWT_SIGNING_KEYS,
    },
    argon2: {
      memoryKib: env.ARGON2_MEMORY_KIB,
      timeCost: env.ARGON2_TIME_COST,
      parallelism: env.ARGON2_PARALLELISM,
      workers: env.ARGON2_WORKERS ?? 0,
    },
    readCache: { ttlMs: env.READ_CACHE_TTL },
    audit: { retentionDays: env.AUDIT_RETENTION_DAYS ?? APP_ENV_DEFAULTS[shared.appEnv].auditRetentionDays },
    rateLimits: {
      enabled: env.RATE_LIMIT_ENABLED,
      perIp: { limit: env.RATE_LIMIT_REQUESTS_PER_WINDOW ?? budgets.perIp, windowMs: env.RATE_LIMIT_WINDOW_DURATION },
      perUser: { limit: env.RATE_LIMIT_USER_REQUESTS_PER_WINDOW ?? budgets.perUser, windowMs: env.RATE_LIMIT_WINDOW_DURATION },
      login: { limit: env.RATE_LIMIT_LOGIN_REQUESTS ?? budgets.loginFailures, windowMs: env.RATE_LIMIT_LOGIN_WINDOW },
      register: { limit: env.RATE_LIMIT_REGISTER_REQUESTS ?? budgets.registrations, windowMs: env.RATE_LIMIT_REGISTER_WINDOW },
      mail: { limit: env.RATE_LIMIT_MAIL_REQUESTS ?? budgets.mails, windowMs: env.RATE_LIMIT_MAIL_WINDOW },
      recovery: { limit: env.RATE_LIMIT_RECOVERY_REQUESTS ?? budgets.recoveries, windowMs: env.RATE_LIMIT_RECOVERY_WINDOW },
    },
    mailLinks: {
      emailVerificationTtlMs: env.EMAIL_VERIFICATION_TTL,
      passwordResetTtlMs: env.PASSWORD_RESET_TTL,
      emailChangeTtlMs: env.EMAIL_CHANGE_TTL,
    },
    loginLockout: {
      threshold: env.LOGIN_LOCKOUT_THRESHOLD ?? budgets.lockoutThreshold,
      baseMs: env.LOGIN_LOCKOUT_BASE,
      maxMs: env.LOGIN_LOCKOUT_MAX,
    },
    idempotency: { ttlMs: env.IDEMPOTENCY_TTL },
    mfa: {
      encryptionKeys: env.MFA_ENCRYPTION_KEYS,
      challengeTtlMs: env.MFA_CHALLENGE_TTL,
      adminRequired: env.ADMIN_MFA_REQUIRED === undefined ? isDeployedEnv(shared.appEnv) : boolField(false).parse(env.ADMIN_MFA_REQUIRED),
    },
    vaultKeys,
  };
}

/** Reads Vault when enabled, then validates. The entry point apps call at start-up. */
export async function loadUserApiConfig(rawEnv: Env = process.env, fetchImpl: typeof fetch = fetch): Promise<UserApiConfig> {
  const { env, vaultKeys } = await withVaultSecrets(rawEnv, fetchImpl);
  return buildUserApiConfig(env, vaultKeys);
}
