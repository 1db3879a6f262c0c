import { col, defineTable, type RowOf } from '../sql/table';

/**
 * `outbox_events`: the transactional outbox. Written in the transaction of the change it announces,
 * published to the Redis stream by event-relay; `id` is the event_id consumers deduplicate on.
 */
export const outboxEvents = defineTable('outbox_events', {
  id: col.uuid('id'),
  /** Insertion order (bigint): the relay publishes in this order. */
  seq: col.bigintText('seq'),
  eventType: col.text('event_type'),
  aggregateId: col.nullable(col.uuid('aggregate_id')),
  payload: col.jsonb<unknown>('payload'),
  metadata: col.jsonb<Record<string, unknown>>('metadata'),
  occurredAt: col.timestamptz('occurred_at'),
  createdAt: col.timestamptz('created_at'),
  publishedAt: col.nullable(col.timestamptz('published_at')),
  attempts: col.int('attempts'),
  lastError: col.nullable(col.text('last_error')),
});

export type OutboxEventRow = RowOf<typeof outboxEvents.columns>;
