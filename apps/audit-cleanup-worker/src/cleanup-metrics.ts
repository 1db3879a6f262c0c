import { RETENTION_KINDS, type RetentionKind } from '@pandora/domain';
import { Counter, Gauge, Pushgateway, Registry } from 'prom-client';

/** The Pushgateway job (grouping key) of every run; one group, replaced metric by metric per run. */
export const PUSHGATEWAY_JOB = 'audit-cleanup-worker';
const PUSH_TIMEOUT_MS = 10_000;

/**
 * The run's metrics (docs/observability.md#metrics). A one-shot job cannot be scraped, so they are pushed to a
 * Pushgateway at the end of the run. The push is a POST (`pushAdd`): it replaces the metrics it
 * carries and keeps the others, so a failed run leaves the previous run's
 * `audit_cleanup_last_success_timestamp_seconds` in place for the staleness alert.
 * `audit_cleanup_deleted_total` therefore holds the count of the latest run, per kind.
 */
export class CleanupMetrics {
  readonly registry = new Registry();

  readonly deletedTotal = new Counter({
    name: 'audit_cleanup_deleted_total',
    help: 'Rows deleted by the latest audit-cleanup-worker run, by kind (audit_logs, refresh_tokens, sessions, outbox_events).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly runDuration = new Gauge({
    name: 'audit_cleanup_run_duration_seconds',
    help: 'Wall-clock duration of the latest audit-cleanup-worker run (whatever its outcome).',
    registers: [this.registry],
  });

  /** Registered only by a completed run: an unset gauge would be pushed as 0 and erase the last success. */
  private readonly lastSuccess = new Gauge({
    name: 'audit_cleanup_last_success_timestamp_seconds',
    help: 'Unix time at which an audit-cleanup-worker run last completed every kind.',
    registers: [],
  });

  constructor() {
    for (const kind of RETENTION_KINDS) this.deletedTotal.inc({ kind }, 0);
  }

  recordDeleted(kind: RetentionKind, count: number): void {
    this.deletedTotal.inc({ kind }, count);
  }

  recordRun(durationSeconds: number, completedAt: Date | null): void {
    this.runDuration.set(durationSeconds);
    if (completedAt) {
      this.registry.registerMetric(this.lastSuccess);
      this.lastSuccess.set(completedAt.getTime() / 1000);
    }
  }

  async push(gatewayUrl: string): Promise<void> {
    await new Pushgateway(gatewayUrl, { timeout: PUSH_TIMEOUT_MS }, this.registry).pushAdd({ jobName: PUSHGATEWAY_JOB });
  }

  /** The values as one JSON object, for the log line written when no Pushgateway is configured. */
  async snapshot(): Promise<Record<string, unknown>> {
    const snapshot: Record<string, unknown> = {};
    for (const metric of await this.registry.getMetricsAsJSON()) {
      const { values } = metric;
      snapshot[metric.name] =
        metric.name === 'audit_cleanup_deleted_total'
          ? Object.fromEntries(values.map((value) => [String(value.labels.kind), value.value]))
          : (values[0]?.value ?? null);
    }
    return snapshot;
  }
}
