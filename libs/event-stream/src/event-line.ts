import { EVENT_PAYLOAD_SCHEMAS } from '@pandora/domain';
import { isKnownEventType, type RawStreamEvent } from './stream-entry';

/**
 * One line per event for `npm run events:tail`: `text` for people (time, type, user, payload as
 * key=value), `json` for pipes (one JSON object per line, the stream's fields with payload and
 * metadata parsed, plus the stream entry id).
 */
export type EventLineFormat = 'text' | 'json';

function inline(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** Payload fields in the catalog's order (the stream's JSON comes out of jsonb, keys reordered). */
function orderedEntries(type: string, payload: Record<string, unknown>): Array<[string, unknown]> {
  const documented = isKnownEventType(type) ? Object.keys(EVENT_PAYLOAD_SCHEMAS[type].shape) : [];
  const rank = (key: string) => (documented.includes(key) ? documented.indexOf(key) : documented.length);
  return Object.entries(payload).sort(([a], [b]) => rank(a) - rank(b));
}

export function formatEventLine(event: RawStreamEvent, format: EventLineFormat): string {
  if (format === 'json') {
    return JSON.stringify({
      stream_id: event.streamId,
      event_id: event.eventId,
      event_type: event.type,
      user_id: event.userId ?? '',
      timestamp: event.timestamp,
      payload: event.payload,
      metadata: event.metadata,
    });
  }
  const payload =
    event.payload !== null && typeof event.payload === 'object' && !Array.isArray(event.payload)
      ? orderedEntries(event.type, event.payload as Record<string, unknown>).map(([key, value]) => `${key}=${inline(value)}`)
      : [`payload=${inline(event.payload)}`];
  const context = ['actor_type', 'actor_id', 'request_id']
    .filter((key) => typeof event.metadata[key] === 'string')
    .map((key) => `${key}=${inline(event.metadata[key])}`);
  return [
    event.timestamp,
    event.type.padEnd(25),
    `user=${event.userId ?? '-'}`,
    ...payload,
    `[${[`event_id=${event.eventId}`, ...context].join(' ')}]`,
  ].join('  ');
}
