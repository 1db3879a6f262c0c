import type { MailQueueStats } from '@pandora/data-access';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type MailResult = 'sent' | 'retried' | 'abandoned';

/** The courier's metrics (docs/mail.md, "Metrics and alerts"), on event-relay's registry. */
export class MailMetrics {
  readonly messages: Counter<'template' | 'result'>;
  readonly pending: Gauge;
  readonly oldestDueAge: Gauge;
  readonly attempts: Histogram<'result'>;
  readonly sendDuration: Histogram;
  readonly leader: Gauge;

  constructor(registry: Registry, readStats: () => Promise<MailQueueStats | null>) {
    // One read per scrape serves both queue gauges.
    let latest: Promise<MailQueueStats | null> | null = null;
    const stats = () => {
      latest ??= readStats().finally(() => {
        latest = null;
      });
      return latest;
    };
    this.messages = new Counter({
      name: 'mail_messages_total',
      help: 'Delivery attempts by outcome: sent, retried (failed, tried again later) or abandoned (failed for the last time).',
      labelNames: ['template', 'result'] as const,
      registers: [registry],
    });
    this.pending = new Gauge({
      name: 'mail_queue_pending',
      help: 'Queued mail not yet delivered or abandoned (counted at scrape time).',
      registers: [registry],
      async collect() {
        // A failed read (database down) keeps the last value; /ready reports the outage.
        const read = await stats();
        if (read) this.set(read.pending);
      },
    });
    this.oldestDueAge = new Gauge({
      name: 'mail_queue_oldest_due_age_seconds',
      help: 'How long the longest-waiting due message has been due (0 when none is due): grows when nobody delivers.',
      registers: [registry],
      async collect() {
        const read = await stats();
        if (read) this.set(read.oldestDueAgeSeconds);
      },
    });
    this.attempts = new Histogram({
      name: 'mail_delivery_attempts',
      help: 'Attempts a message took until it was sent or abandoned.',
      labelNames: ['result'] as const,
      buckets: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20],
      registers: [registry],
    });
    this.sendDuration = new Histogram({
      name: 'mail_send_duration_seconds',
      help: 'One SMTP delivery attempt, successful or not.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.leader = new Gauge({
      name: 'mail_courier_leader',
      help: '1 while this replica holds the courier lease and delivers mail; 0 otherwise.',
      registers: [registry],
    });
  }

  record(template: string, result: MailResult, attempts: number): void {
    this.messages.inc({ template, result });
    if (result !== 'retried') this.attempts.observe({ result }, attempts);
  }
}
