import { EVENT_PAYLOAD_SCHEMAS, eventMetadataSchema, type EventMetadata, type EventPayload, type EventType } from '@pandora/domain';
import { z } from 'zod';

/**
 * The wire format of one entry of the event stream (docs/events.md#one-entry), written by event-relay and read by
 * every consumer. All values are strings: `payload` and `metadata` are JSON, `timestamp` is
 * RFC 3339 UTC (when the change happened), `user_id` is empty for system events.
 */
export const STREAM_ENTRY_FIELDS = ['event_id', 'event_type', 'user_id', 'timestamp', 'payload', 'metadata'] as const;

/** An event on its way into the stream (an outbox row). */
export interface OutgoingEvent {
  eventId: string;
  eventType: string;
  userId: string | null;
  occurredAt: Date;
  payload: unknown;
  metadata: Record<string, unknown>;
}

/** The field/value list of `XADD … * <fields>`, in the documented order. */
export function encodeStreamEntry(event: OutgoingEvent): string[] {
  return [
    'event_id',
    event.eventId,
    'event_type',
    event.eventType,
    'user_id',
    event.userId ?? '',
    'timestamp',
    event.occurredAt.toISOString(),
    'payload',
    JSON.stringify(event.payload),
    'metadata',
    JSON.stringify(event.metadata),
  ];
}

/** An entry read from the stream whose envelope is well-formed; payload not yet checked. */
export interface RawStreamEvent {
  /** The stream entry id (`1718000000000-0`), not the event id. */
  streamId: string;
  eventId: string;
  type: string;
  userId: string | null;
  timestamp: string;
  payload: unknown;
  metadata: Record<string, unknown>;
  /** 1 on first delivery to the group; higher when redelivered or claimed. */
  deliveryCount: number;
}

/** A well-formed event of a known type, its payload validated against the domain schema. */
export type StreamEvent<T extends EventType = EventType> = {
  [K in T]: Omit<RawStreamEvent, 'type' | 'payload' | 'metadata'> & { type: K; payload: EventPayload<K>; metadata: EventMetadata };
}[T];

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

const envelopeSchema = z.object({
  event_id: z.guid(),
  event_type: z.string().min(1).max(100),
  user_id: z.union([z.literal(''), z.guid()]),
  timestamp: z.iso.datetime({ offset: true }),
  payload: z.string(),
  metadata: z.string(),
});

function parseJson(text: string): Decoded<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: 'is not valid JSON' };
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`).join('; ');
}

/** Checks the envelope of an entry (the six fields); the payload is only parsed as JSON here. */
export function decodeStreamEntry(streamId: string, fields: string[], deliveryCount: number): Decoded<RawStreamEvent> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i] as string;
    if (!(name in record)) record[name] = fields[i + 1] as string;
  }
  const envelope = envelopeSchema.safeParse(record);
  if (!envelope.success) return { ok: false, reason: `malformed entry: ${describe(envelope.error)}` };
  const payload = parseJson(envelope.data.payload);
  if (!payload.ok) return { ok: false, reason: `malformed entry: payload ${payload.reason}` };
  const metadata = parseJson(envelope.data.metadata);
  if (!metadata.ok) return { ok: false, reason: `malformed entry: metadata ${metadata.reason}` };
  if (metadata.value === null || typeof metadata.value !== 'object' || Array.isArray(metadata.value)) {
    return { ok: false, reason: 'malformed entry: metadata is not a JSON object' };
  }
  return {
    ok: true,
    value: {
      streamId,
      eventId: envelope.data.event_id.toLowerCase(),
      type: envelope.data.event_type,
      userId: envelope.data.user_id === '' ? null : envelope.data.user_id.toLowerCase(),
      timestamp: envelope.data.timestamp,
      payload: payload.value,
      metadata: metadata.value as Record<string, unknown>,
      deliveryCount,
    },
  };
}

/**
 * Consumers read tolerantly: the producer's schemas are strict (nothing unexpected may leave the
 * service), but a consumer must keep working when a later version adds a payload or metadata
 * field, so unknown keys are dropped here instead of failing the event.
 */
const READER_PAYLOAD_SCHEMAS = Object.fromEntries(
  Object.entries(EVENT_PAYLOAD_SCHEMAS).map(([type, schema]) => [type, z.object(schema.shape)]),
) as unknown as { [T in EventType]: z.ZodType<EventPayload<T>> };
const readerMetadataSchema = z.object(eventMetadataSchema.shape);

export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(READER_PAYLOAD_SCHEMAS, type);
}

/** Validates payload and metadata of a known event type against the domain's schemas. */
export function toTypedEvent(event: RawStreamEvent): Decoded<StreamEvent> {
  if (!isKnownEventType(event.type)) return { ok: false, reason: `unknown event type "${event.type}"` };
  const payload = READER_PAYLOAD_SCHEMAS[event.type].safeParse(event.payload);
  if (!payload.success) return { ok: false, reason: `invalid ${event.type} payload: ${describe(payload.error)}` };
  const metadata = readerMetadataSchema.safeParse(event.metadata);
  if (!metadata.success) return { ok: false, reason: `invalid metadata: ${describe(metadata.error)}` };
  return { ok: true, value: { ...event, type: event.type, payload: payload.data, metadata: metadata.data } as StreamEvent };
}
