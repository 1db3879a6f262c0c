import type { PublishedRow } from '@pandora/data-access';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The relay's metrics of docs/observability.md#metrics (`outbox_pending_events`, `events_published_total`,
 * `event_publish_lag_seconds`) plus two for operating several replicas, on the app's registry
 * (which already carries the default Node metrics).
 */
export class RelayMetrics {
  readonly pendingEvents: Gauge;
  readonly publishedTotal: Counter<'event_type'>;
  readonly publishLag: Histogram;
  readonly leader: Gauge;
  readonly publishFailures: Counter;

  constructor(registry: Registry, countPending: () => Promise<number | null>) {
    this.pendingEvents = new Gauge({
      name: 'outbox_pending_events',
      help: 'Outbox rows not yet published to the stream (counted at scrape time).',
      registers: [registry],
      async collect() {
        // A failed count (database down) keeps the last value; /ready reports the outage.
        const pending = await countPending();
        if (pending !== null) this.set(pending);
      },
    });
    this.publishedTotal = new Counter({
      name: 'events_published_total',
      help: 'Events Redis accepted into the stream, by event type (a re-publication after a crash counts again).',
      labelNames: ['event_type'] as const,
      registers: [registry],
    });
    this.publishLag = new Histogram({
      name: 'event_publish_lag_seconds',
      help: 'From the outbox insert (in the committing transaction) to the event being in the stream and marked published.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.leader = new Gauge({
      name: 'event_relay_leader',
      help: '1 while this replica holds the leader lease and publishes; 0 on standby.',
      registers: [registry],
    });
    this.publishFailures = new Counter({
      name: 'event_publish_failures_total',
      help: 'Batches Redis did not accept (they are retried with backoff).',
      registers: [registry],
    });
  }

  recordAccepted(eventTypes: string[]): void {
    const counts = new Map<string, number>();
    for (const type of eventTypes) counts.set(type, (counts.get(type) ?? 0) + 1);
    for (const [type, count] of counts) this.publishedTotal.inc({ event_type: type }, count);
  }

  recordMarked(rows: PublishedRow[]): void {
    for (const row of rows) this.publishLag.observe(row.lagSeconds);
  }
}
