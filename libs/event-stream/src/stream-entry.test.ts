import { decodeStreamEntry, encodeStreamEntry, STREAM_ENTRY_FIELDS, toTypedEvent, type OutgoingEvent } from './stream-entry';
import { formatEventLine } from './event-line';

const registered: OutgoingEvent = {
  eventId: '0b9f7c52-5d6e-4d8f-9a3b-1c2d3e4f5a6b',
  eventType: 'user.registered',
  userId: '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
  occurredAt: new Date('2026-11-21T10:11:12.345Z'),
  payload: { email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', role: 'user' },
  metadata: { request_id: 'req-1', ip_address: '10.0.0.7', actor_id: '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b', actor_type: 'user' },
};

describe('stream entry format', () => {
  it('writes the six documented string fields in order', () => {
    const fields = encodeStreamEntry(registered);
    expect(fields.filter((_, index) => index % 2 === 0)).toEqual([...STREAM_ENTRY_FIELDS]);
    expect(fields).toEqual([
      'event_id',
      registered.eventId,
      'event_type',
      'user.registered',
      'user_id',
      registered.userId,
      'timestamp',
      '2026-11-21T10:11:12.345Z',
      'payload',
      '{"email":"ada@example.com","first_name":"Ada","last_name":"Lovelace","role":"user"}',
      'metadata',
      '{"request_id":"req-1","ip_address":"10.0.0.7","actor_id":"6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b","actor_type":"user"}',
    ]);
  });

  it('writes an empty user_id for system events and reads it back as null', () => {
    const fields = encodeStreamEntry({
      ...registered,
      eventType: 'audit.retention.completed',
      userId: null,
      payload: { deleted_audit_logs: 1, deleted_sessions: 2, deleted_outbox_events: 3, cutoff: '2026-11-14T00:00:00.000Z' },
    });
    expect(fields[5]).toBe('');
    const decoded = decodeStreamEntry('1-0', fields, 1);
    expect(decoded.ok && decoded.value.userId).toBeNull();
    expect(decoded.ok && toTypedEvent(decoded.value).ok).toBe(true);
  });

  it('reads back what it wrote, typed by event type', () => {
    const decoded = decodeStreamEntry('1700000000000-0', encodeStreamEntry(registered), 2);
    if (!decoded.ok) throw new Error(decoded.reason);
    const typed = toTypedEvent(decoded.value);
    if (!typed.ok) throw new Error(typed.reason);
    expect(typed.value).toEqual({
      streamId: '1700000000000-0',
      eventId: registered.eventId,
      type: 'user.registered',
      userId: registered.userId,
      timestamp: '2026-11-21T10:11:12.345Z',
      payload: registered.payload,
      metadata: registered.metadata,
      deliveryCount: 2,
    });
  });

  it('tolerates payload and metadata fields added by a later producer', () => {
    const fields = encodeStreamEntry({
      ...registered,
      payload: { ...(registered.payload as object), locale: 'en' },
      metadata: { ...registered.metadata, tenant: 'x' },
    });
    const decoded = decodeStreamEntry('1-0', fields, 1);
    const typed = decoded.ok ? toTypedEvent(decoded.value) : decoded;
    expect(typed.ok && typed.value.payload).toEqual(registered.payload);
    expect(typed.ok && typed.value.metadata).toEqual(registered.metadata);
  });

  it.each([
    ['a missing event_id', (fields: string[]) => fields.slice(2), /event_id/],
    [
      'a payload that is not JSON',
      (fields: string[]) => fields.map((value, index) => (index === 9 ? '{oops' : value)),
      /payload is not valid JSON/,
    ],
    [
      'metadata that is an array',
      (fields: string[]) => fields.map((value, index) => (index === 11 ? '[]' : value)),
      /metadata is not a JSON object/,
    ],
    [
      'a timestamp that is not RFC 3339',
      (fields: string[]) => fields.map((value, index) => (index === 7 ? 'yesterday' : value)),
      /timestamp/,
    ],
  ])('calls an entry with %s malformed', (_label, mangle, reason) => {
    const decoded = decodeStreamEntry('1-0', mangle(encodeStreamEntry(registered)), 1);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(reason);
  });

  it('refuses a payload that does not match its event type, and unknown types', () => {
    const bad = decodeStreamEntry('1-0', encodeStreamEntry({ ...registered, payload: { email: 'ada@example.com' } }), 1);
    expect(bad.ok && toTypedEvent(bad.value)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/invalid user.registered payload: first_name/),
    });
    const unknown = decodeStreamEntry('1-0', encodeStreamEntry({ ...registered, eventType: 'user.teleported' }), 1);
    expect(unknown.ok && toTypedEvent(unknown.value)).toMatchObject({ ok: false, reason: 'unknown event type "user.teleported"' });
  });
});

describe('event lines for people and pipes', () => {
  const decoded = decodeStreamEntry('1700000000000-0', encodeStreamEntry(registered), 1);
  if (!decoded.ok) throw new Error(decoded.reason);

  it('prints one readable line: time, type, user, payload, ids', () => {
    expect(formatEventLine(decoded.value, 'text')).toBe(
      `2026-11-21T10:11:12.345Z  user.registered            user=${registered.userId}  email=ada@example.com  first_name=Ada  last_name=Lovelace  role=user  ` +
        `[event_id=${registered.eventId} actor_type=user actor_id=${registered.userId} request_id=req-1]`,
    );
  });

  it('prints payload fields in the catalog order whatever order the JSON has', () => {
    const reordered = { ...decoded.value, payload: { role: 'user', email: 'ada@example.com', last_name: 'Lovelace', first_name: 'Ada' } };
    expect(formatEventLine(reordered, 'text')).toContain('email=ada@example.com  first_name=Ada  last_name=Lovelace  role=user');
  });

  it('prints one JSON object per line for pipes', () => {
    expect(JSON.parse(formatEventLine(decoded.value, 'json'))).toEqual({
      stream_id: '1700000000000-0',
      event_id: registered.eventId,
      event_type: 'user.registered',
      user_id: registered.userId,
      timestamp: '2026-11-21T10:11:12.345Z',
      payload: registered.payload,
      metadata: registered.metadata,
    });
  });
});
