import type { DomainEvent, OutboxWriter } from '@pandora/domain';
import type { QueryRunner } from '../sql/database';
import { outboxEvents } from '../tables/outbox-events';

/** Appends events to `outbox_events` inside the caller's transaction; event-relay publishes them. */
export class PgOutboxWriter implements OutboxWriter {
  constructor(private readonly db: QueryRunner) {}

  async append(event: DomainEvent): Promise<void> {
    const insert = outboxEvents.insert({
      id: event.id,
      eventType: event.type,
      aggregateId: event.userId,
      payload: event.payload,
      metadata: event.metadata,
      occurredAt: event.occurredAt,
    });
    await this.db.write(insert.text, insert.values);
  }
}
