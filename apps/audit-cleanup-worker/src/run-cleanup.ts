import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { formatDuration, type AuditCleanupWorkerConfig } from '@pandora/config';
import {
  AUDIT_CLEANUP_LOCK_KEY,
  Database,
  PgRetentionStore,
  PgUnitOfWork,
  sqlState,
  tryAcquireAdvisoryLock,
  type SessionAdvisoryLock,
} from '@pandora/data-access';
import { RETENTION_KINDS, systemClock, type RetentionCounts, type RetentionCutoffs } from '@pandora/domain';
import { PurgeExpiredRecords } from '@pandora/use-cases';
import type { Logger } from '@pandora/observability';
import { CleanupMetrics } from './cleanup-metrics';
import { tracedRetentionStore, withRunSpan } from './cleanup-tracing';

export type CleanupOutcome = 'completed' | 'dry_run' | 'skipped' | 'interrupted' | 'failed';

export interface CleanupResult {
  outcome: CleanupOutcome;
  exitCode: number;
}

export interface CleanupRunOptions {
  dryRun: boolean;
  logger: Logger;
  /** The signal that asked the run to stop (it ends after the batch in flight), or null. */
  stopRequested?: () => NodeJS.Signals | null;
}

/** 128 + the signal number, as a shell reports a process ended by that signal (SIGTERM → 143): a second signal's exit. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/**
 * One run of the worker, from a validated configuration to an exit code:
 *   0   completed, dry run done, another run holds the lock (nothing to do here), or stopped by a
 *       signal after finishing the batch in flight: a graceful shutdown (docs/observability.md), and the next run
 *       continues where it stopped. Such a run's summary says `interrupted`; it pushes no success
 *       timestamp, so runs that never complete still trip the staleness alert;
 *   1   failed (database error, lost lock, trigger refusal…): whatever was deleted stays deleted,
 *       the next run continues.
 * Progress is logged per batch and the run ends with exactly one `audit cleanup summary` line.
 */
export function runCleanup(config: AuditCleanupWorkerConfig, options: CleanupRunOptions): Promise<CleanupResult> {
  return withRunSpan(options.dryRun, () => runOnce(config, options));
}

async function runOnce(config: AuditCleanupWorkerConfig, options: CleanupRunOptions): Promise<CleanupResult> {
  const { logger, dryRun } = options;
  const stopRequested = options.stopRequested ?? (() => null);
  const started = performance.now();
  const metrics = new CleanupMetrics();
  const deleted = Object.fromEntries(RETENTION_KINDS.map((kind) => [kind, 0])) as RetentionCounts;
  let cutoffs: RetentionCutoffs | null = null;
  let lock: SessionAdvisoryLock | null = null;
  let lockLost: Error | null = null;

  logger.info('audit cleanup starting', {
    dry_run: dryRun,
    batch_size: config.batch.size,
    batch_pause: formatDuration(config.batch.pauseMs),
    session_retention: formatDuration(config.retention.sessionWindowMs),
    outbox_retention: formatDuration(config.retention.outboxWindowMs),
  });

  const db = new Database({
    url: config.database.url,
    poolMax: config.database.poolMax,
    applicationName: 'audit-cleanup-worker',
  });
  let result: CleanupResult;
  const summary: Record<string, unknown> = { dry_run: dryRun };
  try {
    // A dry run writes nothing, so it needs no lock and may run beside a real one.
    if (!dryRun) {
      // The lock is session state: it needs DATABASE_DIRECT_URL, while the batches may go through a pooler.
      const attempt = await tryAcquireAdvisoryLock({
        url: config.database.directUrl,
        key: AUDIT_CLEANUP_LOCK_KEY,
        applicationName: 'audit-cleanup-worker:lock',
      });
      if (!attempt.acquired) {
        logger.info('audit cleanup skipped: another run holds the lock', {
          holder_pid: attempt.holder?.pid,
          holder_application: attempt.holder?.applicationName,
          holder_client: attempt.holder?.clientAddress,
          holder_since: attempt.holder?.backendStart,
        });
        return { outcome: 'skipped', exitCode: 0 };
      }
      lock = attempt.lock;
      lock.onLost((error) => {
        lockLost = error;
        logger.error('audit cleanup lost its advisory lock; stopping after the batch in flight', { error: error.message });
      });
    }

    const purge = new PurgeExpiredRecords(
      {
        store: tracedRetentionStore(new PgRetentionStore(db)),
        uow: new PgUnitOfWork(db),
        clock: systemClock,
        ids: { newId: randomUUID },
        auditRetentionDays: config.retention.auditRetentionDays,
      },
      {
        sessionWindowMs: config.retention.sessionWindowMs,
        outboxWindowMs: config.retention.outboxWindowMs,
        batchSize: config.batch.size,
        pauseMs: config.batch.pauseMs,
      },
    );
    const outcome = await purge.execute({
      dryRun,
      shouldStop: () => stopRequested() !== null || lockLost !== null,
      onStart: (runCutoffs) => {
        cutoffs = runCutoffs;
        logger.info('audit cleanup cutoffs', { cutoffs: isoCutoffs(runCutoffs) });
      },
      onBatch: (batch) => {
        deleted[batch.kind] = batch.kindDeleted;
        metrics.recordDeleted(batch.kind, batch.deleted);
        logger.info('audit cleanup batch', {
          kind: batch.kind,
          batch: batch.batch,
          deleted: batch.deleted,
          kind_deleted: batch.kindDeleted,
          batch_ms: batch.batchMs,
          rows_per_s: rate(batch.kindDeleted, batch.kindElapsedMs),
        });
      },
    });

    if (outcome.status === 'dry_run') {
      summary.would_delete = outcome.expired;
      result = { outcome: 'dry_run', exitCode: 0 };
    } else if (outcome.status === 'completed') {
      summary.event_id = outcome.eventId;
      result = { outcome: 'completed', exitCode: 0 };
    } else {
      const signal = stopRequested();
      summary.stopped_by = signal ?? 'lost advisory lock';
      result = signal ? { outcome: 'interrupted', exitCode: 0 } : { outcome: 'failed', exitCode: 1 };
    }
  } catch (error) {
    summary.error = error instanceof Error ? error.message : String(error);
    summary.sqlstate = sqlState(error);
    result = { outcome: 'failed', exitCode: 1 };
  } finally {
    await lock?.release().catch((error: Error) => logger.warn('could not release the advisory lock cleanly', { error: error.message }));
    await db.close();
  }

  const durationSeconds = (performance.now() - started) / 1000;
  const total = RETENTION_KINDS.reduce((sum, kind) => sum + deleted[kind], 0);
  const line = {
    outcome: result.outcome,
    ...summary,
    ...(dryRun ? {} : { deleted, deleted_total: total, rows_per_s: rate(total, durationSeconds * 1000) }),
    cutoffs: cutoffs ? isoCutoffs(cutoffs) : null,
    duration_s: Math.round(durationSeconds * 1000) / 1000,
  };
  if (result.outcome === 'failed') logger.error('audit cleanup summary', line);
  else if (result.outcome === 'interrupted') logger.warn('audit cleanup summary', line);
  else logger.info('audit cleanup summary', line);

  // A dry run deleted nothing: pushing its zeros would overwrite the real run's numbers.
  if (!dryRun) {
    metrics.recordRun(durationSeconds, result.outcome === 'completed' ? new Date() : null);
    await publishMetrics(metrics, config.pushgatewayUrl, logger);
  }
  return result;
}

async function publishMetrics(metrics: CleanupMetrics, pushgatewayUrl: string | null, logger: Logger): Promise<void> {
  if (!pushgatewayUrl) {
    logger.info('audit cleanup metrics (PUSHGATEWAY_URL is not set)', { metrics: await metrics.snapshot() });
    return;
  }
  const gateway = new URL(pushgatewayUrl).host;
  try {
    await metrics.push(pushgatewayUrl);
    logger.info('audit cleanup metrics pushed', { pushgateway: gateway });
  } catch (error) {
    // The data work is done; a missing push shows up as a stale last-success timestamp (runbook).
    logger.error('audit cleanup could not push its metrics', { pushgateway: gateway, error: (error as Error).message });
  }
}

function isoCutoffs(cutoffs: RetentionCutoffs): Record<string, string> {
  return Object.fromEntries(RETENTION_KINDS.map((kind) => [kind, cutoffs[kind].toISOString()]));
}

function rate(rows: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((rows * 1000) / elapsedMs) : rows;
}
