import { randomBytes, randomUUID } from 'node:crypto';
import {
  AesGcmSecretBox,
  Argon2PasswordHasher,
  JwtAccessTokenService,
  KeyRing,
  OpaqueRefreshTokenService,
  OtpAuthTotpVerifier,
  RandomOneTimeSecrets,
} from '@pandora/auth';
import type { MfaEncryptionKeyConfig, UserApiConfig } from '@pandora/config';
import { NO_LOGIN_THROTTLE, noopMetrics, noopSecurityLog, systemClock, type Clock, type LoginThrottle } from '@pandora/domain';
import type { AppMetrics, Logger } from '@pandora/observability';
import type { Ports, ServicePorts } from '@pandora/use-cases';
import { openDatabase, type Database } from './database';

/** The configuration the ports are built from: user-api's, or a test's built the same way. */
export type PortsConfig = Pick<UserApiConfig, 'database' | 'readCache' | 'auth' | 'argon2' | 'audit' | 'mfa' | 'mailLinks' | 'rateLimits'>;

/** What authenticator apps show beside the account name (the otpauth URL's issuer). */
export const TOTP_ISSUER = 'Pandora Exchange';

export interface PortsOptions {
  /** Names the process's database connections (pg_stat_activity). */
  applicationName: string;
  clock?: Clock;
  /** Default: none (every attempt allowed) — for processes that log nobody in or own no Redis. */
  loginThrottle?: LoginThrottle;
  /** Business counters and the hash timer; default: none. */
  metrics?: AppMetrics;
  /** Receives security events and the ephemeral-key warning; default: none. */
  logger?: Logger;
}

export interface WiredPorts {
  ports: Ports;
  /** The JWT signing keys, whose public half user-api serves at /.well-known/jwks.json. */
  keyRing: KeyRing;
  database: Database;
  /** Stops what the ports own besides the database (the Argon2 helper processes). */
  closeHasher(): Promise<void>;
}

/**
 * Every port of the use cases, built from configuration: PostgreSQL and its read caches, Argon2id,
 * the JWT key ring, TOTP and the MFA key ring, the clock and ids. The one adapter factory: user-api, its CLI and
 * every test support that runs real use cases call it, so they all run the same adapters.
 */
export async function createPorts(config: PortsConfig, options: PortsOptions): Promise<WiredPorts> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const database = openDatabaseWithCaches(config, options);
  const keyRing = await openKeyRing(config, logger);
  const hasher = new Argon2PasswordHasher(config.argon2, options.metrics?.hashTimer(), { workers: config.argon2.workers ?? 0 });
  await hasher.warmUp();
  const { repositories } = database;
  const ports: Ports = {
    uow: database.uow,
    repositories,
    hasher,
    accessTokens: new JwtAccessTokenService(
      keyRing,
      { issuer: config.auth.issuer, audience: config.auth.audience, ttlMs: config.auth.accessTokenTtlMs },
      clock,
    ),
    refreshTokens: new OpaqueRefreshTokenService(),
    userReads: database.reads.users,
    principals: database.reads.principals,
    loginThrottle: options.loginThrottle ?? NO_LOGIN_THROTTLE,
    clock,
    ids: { newId: randomUUID },
    metrics: options.metrics?.domain() ?? noopMetrics,
    securityLog: logger ? { record: (event, fields) => logger.security(event, fields) } : noopSecurityLog,
    totp: new OtpAuthTotpVerifier(clock),
    secretBox: new AesGcmSecretBox(mfaKeysOf(config, logger)),
    oneTimeSecrets: new RandomOneTimeSecrets(),
    auth: {
      refreshTokenTtlMs: config.auth.refreshTokenTtlMs,
      sessionAbsoluteTtlMs: config.auth.sessionAbsoluteTtlMs,
      refreshReuseGraceMs: config.auth.refreshReuseGraceMs,
    },
    mfa: { challengeTtlMs: config.mfa.challengeTtlMs, totpIssuer: TOTP_ISSUER },
    auditRetentionDays: config.audit.retentionDays,
    mailFlows: { ...config.mailLinks, mailCap: config.rateLimits.enabled ? config.rateLimits.mail : null },
  };
  return { ports, keyRing, database, closeHasher: () => hasher.close() };
}

/** The MFA key ring; without MFA_ENCRYPTION_KEYS (dev and test only: config refuses it elsewhere) a key for this process alone. */
function mfaKeysOf(config: PortsConfig, logger: Logger | undefined): MfaEncryptionKeyConfig[] {
  if (config.mfa.encryptionKeys) return config.mfa.encryptionKeys;
  const kid = `ephemeral-${randomBytes(4).toString('hex')}`;
  logger?.warn(
    'MFA_ENCRYPTION_KEYS is not set: generated an ephemeral MFA encryption key (TOTP secrets enrolled now cannot be read after a restart)',
    { kid },
  );
  return [{ kid, key: randomBytes(32) }];
}

async function openKeyRing(config: PortsConfig, logger: Logger | undefined): Promise<KeyRing> {
  if (config.auth.signingKeys) return KeyRing.fromConfig(config.auth.signingKeys);
  const keyRing = await KeyRing.generateEphemeral();
  logger?.warn('JWT_SIGNING_KEYS is not set: generated an ephemeral ES256 signing key (tokens die with this process)', {
    kid: keyRing.activeKey().kid,
  });
  return keyRing;
}

/** What user-grpc's ports are built from: no hasher, tokens or Redis. */
export type ServicePortsConfig = Pick<PortsConfig, 'database' | 'readCache' | 'audit'>;

/** The ports of the internal-service use cases (user-grpc): the database and its cached reads, the clock and ids. */
export function createServicePorts(
  config: ServicePortsConfig,
  options: Pick<PortsOptions, 'applicationName' | 'clock' | 'metrics' | 'logger'>,
): { ports: ServicePorts; database: Database } {
  const database = openDatabaseWithCaches(config, options);
  return {
    ports: {
      uow: database.uow,
      repositories: database.repositories,
      userReads: database.reads.users,
      clock: options.clock ?? systemClock,
      ids: { newId: randomUUID },
      auditRetentionDays: config.audit.retentionDays,
    },
    database,
  };
}

/** The pool and the read caches (READ_CACHE_TTL), their lookups counted and their listening session logged. */
function openDatabaseWithCaches(
  config: Pick<PortsConfig, 'database' | 'readCache'>,
  options: Pick<PortsOptions, 'applicationName' | 'metrics' | 'logger'>,
): Database {
  const { logger, metrics } = options;
  let countLookup: ReturnType<AppMetrics['readCache']> | undefined;
  const database = openDatabase(
    { url: config.database.url, poolMax: config.database.poolMax, applicationName: options.applicationName },
    {
      ttlMs: config.readCache.ttlMs,
      directUrl: config.database.directUrl,
      onLookup: (cache, result) => countLookup?.(cache, result),
      ...(logger
        ? {
            onConnectionChange: (connected: boolean, error?: Error) => {
              if (connected) logger.info('read cache: listening for changes; cached reads on', { component: 'read_cache' });
              else
                logger.warn('read cache: no change feed; every read goes to PostgreSQL until it is back', {
                  component: 'read_cache',
                  error: error?.message,
                });
            },
          }
        : {}),
    },
  );
  if (config.readCache.ttlMs > 0) countLookup = metrics?.readCache(() => database.reads.isCurrent());
  return database;
}
