import { EVENT_PAYLOAD_SCHEMAS, eventMetadataSchema, type EventMetadata, type EventPayload, type EventType } from './event-catalog';

/** One event as it is written to the outbox and later published to the stream. */
export interface DomainEvent<T extends EventType = EventType> {
  /** The outbox row id and the stream's `event_id`: stable across re-delivery. */
  id: string;
  type: T;
  /** The user the event is about (the stream's `user_id`); null for system events. */
  userId: string | null;
  occurredAt: Date;
  payload: EventPayload<T>;
  metadata: EventMetadata;
}

/**
 * Builds an event, validating its payload against the catalog: a use case cannot emit an event
 * consumers would not be able to parse.
 */
export function createDomainEvent<T extends EventType>(input: {
  id: string;
  type: T;
  userId: string | null;
  occurredAt: Date;
  payload: EventPayload<T>;
  metadata: EventMetadata;
}): DomainEvent<T> {
  const payload = EVENT_PAYLOAD_SCHEMAS[input.type].parse(input.payload) as EventPayload<T>;
  const metadata = eventMetadataSchema.parse(input.metadata);
  return { ...input, payload, metadata };
}
