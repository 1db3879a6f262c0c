import type { Actor } from '@pandora/domain';
import { RETENTION_KINDS, type RetentionCounts, type RetentionCutoffs, type RetentionKind, type RetentionStore } from '@pandora/domain';
import { auditEntry, domainEvent } from '../records';
import { NO_REQUEST_CONTEXT } from '@pandora/domain';
import type { Ports } from '../ports';

export interface RetentionPolicy {
  /** Sessions expired or revoked longer ago than this are deleted. */
  sessionWindowMs: number;
  /** Outbox rows published longer ago than this are deleted. */
  outboxWindowMs: number;
  batchSize: number;
  /** Sleep between two batches (0: none). */
  pauseMs: number;
}

/** `auditRetentionDays`: the retention of the audit row the run writes about itself. */
export type PurgeExpiredRecordsPorts = Pick<Ports, 'uow' | 'clock' | 'ids' | 'auditRetentionDays'> & { store: RetentionStore };

export interface RetentionBatch {
  kind: RetentionKind;
  /** 1-based number of this batch within its kind. */
  batch: number;
  deleted: number;
  /** Rows of this kind deleted so far in this run. */
  kindDeleted: number;
  batchMs: number;
  /** Time spent on this kind so far in this run. */
  kindElapsedMs: number;
}

export interface PurgeRunOptions {
  dryRun: boolean;
  /** Asked before every batch: true ends the run after the batch in flight (SIGTERM, a lost lock). */
  shouldStop?: () => boolean;
  /** Called once the cutoffs are fixed, before anything is counted or deleted. */
  onStart?: (cutoffs: RetentionCutoffs) => void;
  onBatch?: (batch: RetentionBatch) => void;
}

export type PurgeOutcome =
  | { status: 'completed'; cutoffs: RetentionCutoffs; deleted: RetentionCounts; eventId: string }
  | { status: 'interrupted'; cutoffs: RetentionCutoffs; deleted: RetentionCounts }
  | { status: 'dry_run'; cutoffs: RetentionCutoffs; expired: RetentionCounts };

export const RETENTION_ACTOR: Actor = { type: 'system', id: null, identifier: 'audit-cleanup-worker' };

/**
 * One retention run (docs/audit-trail.md#retention). Cutoffs are fixed once, from the database clock, at the start, so
 * the run ends even while new rows keep expiring. Every batch commits on its own: a run killed at
 * any point has lost nothing but its unfinished batch, and the next run simply continues. Before
 * each session batch, the refresh tokens of the sessions it will pick are deleted in batches of
 * their own, so that the batch's ON DELETE CASCADE stays small. Only a
 * run that got through every kind records `audit.retention.completed` (with an audit row about
 * itself) — in one transaction, so the event and the record exist together or not at all.
 */
export class PurgeExpiredRecords {
  constructor(
    private readonly deps: PurgeExpiredRecordsPorts,
    private readonly policy: RetentionPolicy,
  ) {}

  async execute(options: PurgeRunOptions): Promise<PurgeOutcome> {
    const { store } = this.deps;
    const now = await store.now();
    const sessionCutoff = new Date(now.getTime() - this.policy.sessionWindowMs);
    const cutoffs: RetentionCutoffs = {
      audit_logs: now,
      refresh_tokens: sessionCutoff,
      sessions: sessionCutoff,
      outbox_events: new Date(now.getTime() - this.policy.outboxWindowMs),
    };
    options.onStart?.(cutoffs);

    if (options.dryRun) {
      const expired = zeroCounts();
      for (const kind of RETENTION_KINDS) expired[kind] = await store.countExpired(kind, cutoffs[kind]);
      return { status: 'dry_run', cutoffs, expired };
    }

    const run = new BatchRun(this.deps, this.policy, cutoffs, options);
    for (const kind of RETENTION_KINDS) {
      if (isDrainedAhead(kind)) continue;
      const ahead = DRAINED_AHEAD_OF[kind];
      for (;;) {
        // Emptying the next batch's cascade first keeps every transaction within the batch size.
        if (ahead) await run.drain(ahead);
        if ((await run.batch(kind)) === 0) break;
      }
      if (run.stopped) return { status: 'interrupted', cutoffs, deleted: run.deleted };
    }

    const eventId = await this.recordCompletion(cutoffs, run.deleted);
    return { status: 'completed', cutoffs, deleted: run.deleted, eventId };
  }

  private recordCompletion(cutoffs: RetentionCutoffs, deleted: RetentionCounts): Promise<string> {
    const { deps } = this;
    const at = deps.clock.now();
    const event = domainEvent(deps, NO_REQUEST_CONTEXT, RETENTION_ACTOR, {
      type: 'audit.retention.completed',
      userId: null,
      at,
      payload: {
        deleted_audit_logs: deleted.audit_logs,
        deleted_sessions: deleted.sessions,
        deleted_refresh_tokens: deleted.refresh_tokens,
        deleted_outbox_events: deleted.outbox_events,
        cutoff: cutoffs.audit_logs.toISOString(),
      },
    });
    const audit = auditEntry(deps, NO_REQUEST_CONTEXT, {
      event: 'auditRetentionCompleted',
      userId: null,
      actor: RETENTION_ACTOR,
      at,
      metadata: {
        event_id: event.id,
        deleted: { ...deleted },
        cutoffs: Object.fromEntries(RETENTION_KINDS.map((kind) => [kind, cutoffs[kind].toISOString()])),
      },
    });
    return deps.uow.run(async (repositories) => {
      await repositories.outbox.append(event);
      await repositories.audit.append(audit);
      return event.id;
    });
  }
}

function zeroCounts(): RetentionCounts {
  return { audit_logs: 0, refresh_tokens: 0, sessions: 0, outbox_events: 0 };
}

/**
 * Kinds whose rows would otherwise go by cascade inside another kind's batch: before each batch of
 * the key, the value is deleted in batches until the store reports that batch's cascade empty.
 */
const DRAINED_AHEAD_OF: Partial<Record<RetentionKind, RetentionKind>> = { sessions: 'refresh_tokens' };

function isDrainedAhead(kind: RetentionKind): boolean {
  return Object.values(DRAINED_AHEAD_OF).includes(kind);
}

/** The batches of one run: stop checks, per-kind numbering and timing, progress, pauses. */
class BatchRun {
  readonly deleted = zeroCounts();
  stopped = false;
  private readonly batches = zeroCounts();
  private readonly kindStarted: Partial<Record<RetentionKind, number>> = {};
  private readonly shouldStop: () => boolean;

  constructor(
    private readonly deps: PurgeExpiredRecordsPorts,
    private readonly policy: RetentionPolicy,
    private readonly cutoffs: RetentionCutoffs,
    private readonly options: PurgeRunOptions,
  ) {
    this.shouldStop = options.shouldStop ?? (() => false);
  }

  async drain(kind: RetentionKind): Promise<void> {
    while ((await this.batch(kind)) > 0) {
      // each batch commits on its own; the next one starts after the pause
    }
  }

  /** One batch of `kind`; 0 when nothing of it is left, or when the run has been asked to stop. */
  async batch(kind: RetentionKind): Promise<number> {
    if (this.stopped || this.shouldStop()) {
      this.stopped = true;
      return 0;
    }
    const { clock, store } = this.deps;
    const batchStarted = clock.now().getTime();
    const kindStarted = (this.kindStarted[kind] ??= batchStarted);
    const count = await store.deleteExpiredBatch(kind, this.cutoffs[kind], this.policy.batchSize);
    if (count === 0) return 0;
    this.deleted[kind] += count;
    this.batches[kind] += 1;
    const finished = clock.now().getTime();
    this.options.onBatch?.({
      kind,
      batch: this.batches[kind],
      deleted: count,
      kindDeleted: this.deleted[kind],
      batchMs: finished - batchStarted,
      kindElapsedMs: finished - kindStarted,
    });
    if (this.policy.pauseMs > 0) await pause(this.policy.pauseMs, this.shouldStop);
    return count;
  }
}

/** Sleeps `ms`, waking early when a stop is requested (a pause never delays a shutdown). */
async function pause(ms: number, shouldStop: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!shouldStop() && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
  }
}
