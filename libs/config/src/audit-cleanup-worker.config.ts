import { APP_ENV_DEFAULTS, LOG_LEVELS, type LogLevel } from './app-env';
import type { Env } from './connection-urls';
import { durationSchema } from './duration';
import { auditRetentionDaysField, intField, urlField } from './env-fields';
import { normalizeEnv, parseEnvironment, type SharedConfig } from './shared-config';
import { withVaultSecrets } from './vault';

/**
 * audit-cleanup-worker (docs/audit-trail.md#retention): one run deletes audit rows past `retention_until`, sessions
 * expired or revoked more than SESSION_RETENTION ago and outbox rows published more than
 * OUTBOX_RETENTION ago, CLEANUP_BATCH_SIZE rows per transaction. `--dry-run` is a command-line
 * flag, not configuration: it belongs to one invocation, not to a deployment.
 */
export interface AuditCleanupWorkerConfig extends Omit<SharedConfig, 'redis'> {
  service: 'audit-cleanup-worker';
  retention: {
    /** Stamped on the audit row the worker writes about its own run (rows already stored keep theirs). */
    auditRetentionDays: number;
    sessionWindowMs: number;
    outboxWindowMs: number;
  };
  batch: {
    /** Rows per delete transaction (at most MAX_CLEANUP_BATCH_SIZE). */
    size: number;
    /** Sleep between two batches, to give replicas and autovacuum room on a busy primary. */
    pauseMs: number;
  };
  /** Where the run's metrics are pushed; null: they are logged instead. */
  pushgatewayUrl: string | null;
  /** Names (never values) of the variables that came from Vault. */
  vaultKeys: string[];
}

/** Never more than 5,000 rows per transaction, so API writers are never blocked for long. */
export const MAX_CLEANUP_BATCH_SIZE = 5_000;

const auditCleanupWorkerSchema = {
  AUDIT_RETENTION_DAYS: auditRetentionDaysField(),
  SESSION_RETENTION: durationSchema('168h', { min: '1h', max: '8760h' }),
  OUTBOX_RETENTION: durationSchema('168h', { min: '1h', max: '8760h' }),
  CLEANUP_BATCH_SIZE: intField(MAX_CLEANUP_BATCH_SIZE, 1, MAX_CLEANUP_BATCH_SIZE),
  CLEANUP_BATCH_PAUSE: durationSchema('0s', { max: '1m' }),
  PUSHGATEWAY_URL: urlField(['http:', 'https:']).optional(),
};

/**
 * A run's progress lines and summary are the job's whole operational record (a few lines a day), so
 * the worker logs at least `info` even where APP_ENV's default is quieter; LOG_LEVEL still wins.
 */
function atLeastInfo(level: LogLevel): LogLevel {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf('info') ? level : 'info';
}

/** Validates the environment of audit-cleanup-worker. Synchronous: Vault values must already be merged in. */
export function buildAuditCleanupWorkerConfig(rawEnv: Env, vaultKeys: string[] = []): AuditCleanupWorkerConfig {
  const shared = parseEnvironment('audit-cleanup-worker', rawEnv, auditCleanupWorkerSchema, undefined, [], { usesRedis: false });
  const { env } = shared;
  return {
    service: 'audit-cleanup-worker',
    appEnv: shared.appEnv,
    logLevel: normalizeEnv(rawEnv).LOG_LEVEL === undefined ? atLeastInfo(shared.logLevel) : shared.logLevel,
    database: shared.database,
    waivedTransportRules: shared.waivedTransportRules,
    retention: {
      auditRetentionDays: env.AUDIT_RETENTION_DAYS ?? APP_ENV_DEFAULTS[shared.appEnv].auditRetentionDays,
      sessionWindowMs: env.SESSION_RETENTION,
      outboxWindowMs: env.OUTBOX_RETENTION,
    },
    batch: { size: env.CLEANUP_BATCH_SIZE, pauseMs: env.CLEANUP_BATCH_PAUSE },
    pushgatewayUrl: env.PUSHGATEWAY_URL ?? null,
    vaultKeys,
  };
}

/** Reads Vault when enabled, then validates. The entry point calls this at start-up. */
export async function loadAuditCleanupWorkerConfig(
  rawEnv: Env = process.env,
  fetchImpl: typeof fetch = fetch,
): Promise<AuditCleanupWorkerConfig> {
  const { env, vaultKeys } = await withVaultSecrets(rawEnv, fetchImpl);
  return buildAuditCleanupWorkerConfig(env, vaultKeys);
}
