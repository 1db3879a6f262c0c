import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Link } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { OutboxConnection, type OutboxRow } from '@pandora/data-access';
import {
  appendToStream,
  type AppendResult,
  type OutgoingEvent,
  type StreamDurability,
  type StreamRedis,
  type StreamTarget,
} from '@pandora/event-stream';
import { parseTraceparent, type Logger } from '@pandora/observability';
import type { RelayMetrics } from './relay-metrics';

export type RelayRole = 'starting' | 'standby' | 'leader' | 'stopped';

export interface OutboxRelaySettings {
  batchSize: number;
  pollIntervalMs: number;
  leaderRetryIntervalMs: number;
  maxBackoffMs: number;
  leaderYieldAfterMs: number;
  publishTimeoutMs: number;
  /** Bound of every relay query (a hung PostgreSQL must not wedge the relay). */
  statementTimeoutMs: number;
}

export interface OutboxRelayDeps {
  /** DATABASE_DIRECT_URL: the relay's session holds the lease and LISTENs, so never a transaction pooler. */
  databaseUrl: string;
  redis: StreamRedis;
  stream: StreamTarget;
  /** Replicas that must hold a batch before it is marked published (absent: none are awaited). */
  durability?: StreamDurability;
  settings: OutboxRelaySettings;
  metrics: RelayMetrics;
  logger: Logger;
}

type BatchOutcome = 'empty' | 'partial' | 'full' | 'refused';

/** Capped exponential backoff with jitter, so that replicas coming back do not retry in lockstep. */
export function backoffDelay(attempt: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, 200 * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
  return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}

/**
 * The longest a healthy relay leaves its session without a query (a poll wait, a backoff, a
 * publish waiting for Redis), doubled, plus a margin: past that, the session is presumed dead.
 */
export function sessionIdleLimitMs(settings: OutboxRelaySettings): number {
  return 2 * Math.max(settings.pollIntervalMs, settings.leaderRetryIntervalMs, settings.maxBackoffMs, settings.publishTimeoutMs) + 10_000;
}

function toOutgoingEvent(row: OutboxRow): OutgoingEvent {
  return {
    eventId: row.id,
    eventType: row.eventType,
    userId: row.aggregateId,
    occurredAt: row.occurredAt,
    payload: row.payload,
    metadata: row.metadata,
  };
}

/** The SDK keeps at most this many links per span by default; more would only be dropped. */
const MAX_LINKS = 128;

/** Links the batch's span to the traces of the requests whose events it carries. */
function producerLinks(rows: OutboxRow[]): Link[] {
  const links: Link[] = [];
  for (const row of rows) {
    const parsed = parseTraceparent(row.metadata.traceparent);
    if (!parsed) continue;
    links.push({
      context: {
        traceId: parsed.traceId,
        spanId: parsed.spanId,
        traceFlags: Number.parseInt(parsed.traceparent.split('-')[3] ?? '00', 16),
        isRemote: true,
      },
    });
    if (links.length === MAX_LINKS) break;
  }
  return links;
}

const tracer = trace.getTracer('event-relay');

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Moves committed outbox rows to the Redis stream (ARCHITECTURE.md, "Domain events").
 *
 * One replica at a time publishes: the holder of the leader lease (an advisory lock on the relay's
 * PostgreSQL session); the others stand by and try to take it every `leaderRetryIntervalMs`.
 * The leader repeatedly takes the oldest unpublished rows in `seq` order, appends them to the
 * stream in that order in one MULTI/EXEC, and only then marks them published. It sleeps until a
 * NOTIFY from the outbox trigger, or `pollIntervalMs` at most.
 *
 * Failures never skip or lose a row: a batch Redis refused stays unpublished and is retried with
 * backoff; a crash between XADD and the marking publishes the batch again (same event ids);
 * a lost PostgreSQL session drops the lease and reconnects with backoff.
 */
export class OutboxRelay {
  private role: RelayRole = 'starting';
  private stopping = false;
  private loop: Promise<void> | null = null;
  private waiter: { wake: () => void; onNotification: boolean } | null = null;
  /** A NOTIFY arrived since the last fetch began. */
  private notified = false;
  private lost: Error | null = null;
  private session: symbol | null = null;

  constructor(private readonly deps: OutboxRelayDeps) {}

  /**
   * The loop runs with tracing suppressed: the pg instrumentation would otherwise start a trace of
   * its own for every lease attempt and every idle poll. Only a round that found rows is traced,
   * as one `relay.publish_batch` span with the XADD and the marking beneath it.
   */
  start(): void {
    this.loop ??= context.with(suppressTracing(context.active()), () => this.run());
  }

  /** Finishes the batch in flight (if any), releases the lease and returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.waiter?.wake();
    await this.loop;
  }

  currentRole(): RelayRole {
    return this.role;
  }

  private setRole(role: RelayRole): void {
    this.role = role;
    this.deps.metrics.leader.set(role === 'leader' ? 1 : 0);
  }

  /** Sleeps `ms`, or less when stopping, when the session is lost, or (if asked) on a NOTIFY. */
  private pause(ms: number, wakeOnNotification: boolean): Promise<void> {
    if (this.stopping || this.lost) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiter = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiter = { wake, onNotification: wakeOnNotification };
    });
  }

  private onNotification(): void {
    this.notified = true;
    if (this.waiter?.onNotification) this.waiter.wake();
  }

  private async run(): Promise<void> {
    const { logger, settings } = this.deps;
    let failures = 0;
    while (!this.stopping) {
      // Callbacks of an earlier, abandoned session must not disturb this one (or the backoff).
      const session = Symbol('session');
      this.session = session;
      this.lost = null;
      let connection: OutboxConnection | null = null;
      let failure: unknown = null;
      try {
        connection = await OutboxConnection.open({
          url: this.deps.databaseUrl,
          statementTimeoutMs: settings.statementTimeoutMs,
          idleSessionTimeoutMs: sessionIdleLimitMs(settings),
          onNotification: () => {
            if (this.session === session) this.onNotification();
          },
          onLost: (error) => {
            if (this.session !== session) return;
            this.lost = error;
            this.waiter?.wake();
          },
        });
        await this.serve(connection, () => {
          if (failures > 0) logger.info('PostgreSQL is reachable again', { after_attempts: failures });
          failures = 0;
        });
      } catch (error) {
        failure = error;
      }
      // Ending the session releases the lease at once if an error left it held: another replica
      // can take over while this one backs off.
      this.session = null;
      this.lost = null;
      await connection?.close();
      if (failure === null || this.stopping) continue;
      failures++;
      const retryInMs = backoffDelay(failures, settings.maxBackoffMs);
      logger.warn('PostgreSQL unavailable; the relay retries', { error: messageOf(failure), attempt: failures, retry_in_ms: retryInMs });
      this.setRole('standby');
      await this.pause(retryInMs, false);
    }
    this.setRole('stopped');
  }

  /** Runs on one session until stopping (returns) or until the session fails (throws). */
  private async serve(connection: OutboxConnection, healthy: () => void): Promise<void> {
    const { logger, settings } = this.deps;
    let leader = false;
    let refusals = 0;
    let refusedSince: number | null = null;
    while (!this.stopping) {
      if (this.lost) throw this.lost;
      if (!leader) {
        const acquired = await connection.tryAcquireLease();
        if (!acquired) {
          healthy();
          if (this.role !== 'standby') logger.info('another replica holds the leader lease; standing by');
          this.setRole('standby');
          await this.pause(settings.leaderRetryIntervalMs, false);
          continue;
        }
        // LISTEN before the first fetch: whatever commits from here on wakes us, whatever
        // committed before is found by the fetch.
        await connection.listen();
        leader = true;
        this.setRole('leader');
        logger.info('took the leader lease; publishing the outbox');
      }

      this.notified = false;
      const outcome = await this.publishBatch(connection);
      // Only a completed round proves the database usable (a session that connects but whose
      // queries fail, e.g. an unmigrated database, must keep backing off).
      healthy();
      if (outcome === 'refused') {
        refusals++;
        refusedSince ??= Date.now();
        if (Date.now() - refusedSince >= settings.leaderYieldAfterMs) {
          // Maybe only this replica cannot reach Redis: let another one try.
          logger.warn('Redis has refused events for too long; handing the leader lease over', {
            refused_for_ms: Date.now() - refusedSince,
          });
          await connection.unlisten();
          await connection.releaseLease();
          leader = false;
          refusals = 0;
          refusedSince = null;
          this.setRole('standby');
          await this.pause(2 * settings.leaderRetryIntervalMs, false);
          continue;
        }
        await this.pause(backoffDelay(refusals, settings.maxBackoffMs), false);
        continue;
      }
      if (refusedSince !== null) logger.info('Redis accepts events again', { after_attempts: refusals });
      refusals = 0;
      refusedSince = null;
      if (outcome === 'full' || this.notified) continue;
      await this.pause(settings.pollIntervalMs, true);
    }
    if (leader) {
      await connection.releaseLease().catch(() => undefined);
      logger.info('released the leader lease');
    }
  }

  /** One round: read the oldest unpublished rows, XADD them, mark what Redis accepted. */
  private async publishBatch(connection: OutboxConnection): Promise<BatchOutcome> {
    const fetchStarted = new Date();
    const rows = await connection.fetchUnpublished(this.deps.settings.batchSize);
    if (rows.length === 0) return 'empty';

    // A new root (ROOT_CONTEXT is not suppressed), started when the fetch began so that its
    // duration is the whole round; the fetch itself ran untraced, before we knew it found work.
    const span = tracer.startSpan(
      'relay.publish_batch',
      {
        kind: SpanKind.PRODUCER,
        startTime: fetchStarted,
        links: producerLinks(rows),
        attributes: {
          'messaging.system': 'redis',
          'messaging.operation.type': 'send',
          'messaging.destination.name': this.deps.stream.stream,
          'messaging.batch.message_count': rows.length,
          'relay.first_seq': rows[0]?.seq ?? '',
          'relay.last_seq': rows[rows.length - 1]?.seq ?? '',
        },
      },
      ROOT_CONTEXT,
    );
    try {
      const outcome = await context.with(trace.setSpan(ROOT_CONTEXT, span), () => this.publishRows(connection, rows));
      span.setAttribute('relay.outcome', outcome);
      if (outcome === 'refused') span.setStatus({ code: SpanStatusCode.ERROR, message: 'Redis did not accept every event' });
      return outcome;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  private async publishRows(connection: OutboxConnection, rows: OutboxRow[]): Promise<BatchOutcome> {
    const { logger, metrics, settings } = this.deps;
    let result: AppendResult;
    try {
      result = await appendToStream(this.deps.redis, this.deps.stream, rows.map(toOutgoingEvent), this.deps.durability);
    } catch (error) {
      result = { accepted: 0, streamIds: [], error: error instanceof Error ? error : new Error(String(error)) };
    }

    const accepted = rows.slice(0, result.accepted);
    if (accepted.length > 0) {
      metrics.recordAccepted(accepted.map((row) => row.eventType));
      // If this fails (PostgreSQL gone), the rows stay unpublished and go out again: duplicates
      // with the same event_id, never a loss.
      metrics.recordMarked(await connection.markPublished(accepted.map((row) => row.id)));
      logger.debug('published outbox events', {
        count: accepted.length,
        first_seq: accepted[0]?.seq,
        last_seq: accepted[accepted.length - 1]?.seq,
      });
    }
    if (result.error) {
      const refused = rows.slice(result.accepted);
      metrics.publishFailures.inc();
      logger.warn('Redis did not accept the events; they stay in the outbox and are retried', {
        error: messageOf(result.error),
        refused: refused.length,
        first_refused_seq: refused[0]?.seq,
      });
      await connection.recordFailure(
        refused.map((row) => row.id),
        messageOf(result.error),
      );
      return 'refused';
    }
    return rows.length === settings.batchSize ? 'full' : 'partial';
  }
}
