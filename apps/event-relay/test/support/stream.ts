import { withPgClient } from '@pandora/testing';
import type { Cluster, default as Redis } from 'ioredis';

export interface PublishedEntry {
  streamId: string;
  fields: Record<string, string>;
  eventId: string;
  eventType: string;
  userId: string;
  payload: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Every entry of the stream, oldest first, read with a client that does not prefix keys. */
export async function readStream(raw: Redis | Cluster, fullKey: string): Promise<PublishedEntry[]> {
  const entries: PublishedEntry[] = [];
  let start = '-';
  for (;;) {
    const page = (await raw.xrange(fullKey, start, '+', 'COUNT', 5_000)) as Array<[string, string[]]>;
    for (const [streamId, list] of page) {
      const fields: Record<string, string> = {};
      for (let i = 0; i < list.length; i += 2) fields[list[i] as string] = list[i + 1] as string;
      entries.push({
        streamId,
        fields,
        eventId: fields.event_id as string,
        eventType: fields.event_type as string,
        userId: fields.user_id as string,
        payload: JSON.parse(fields.payload as string),
        metadata: JSON.parse(fields.metadata as string),
      });
    }
    if (page.length < 5_000) return entries;
    start = `(${(page[page.length - 1] as [string, string[]])[0]}`;
  }
}

export interface OutboxRecord {
  id: string;
  seq: number;
  eventType: string;
  aggregateId: string | null;
  publishedAt: Date | null;
  attempts: number;
  lastError: string | null;
}

export async function outboxRows(databaseUrl: string): Promise<OutboxRecord[]> {
  return withPgClient(databaseUrl, async (client) => {
    const { rows } = await client.query(
      'SELECT id, seq::int AS seq, event_type, aggregate_id, published_at, attempts, last_error FROM outbox_events ORDER BY seq',
    );
    return rows.map((row) => ({
      id: row.id,
      seq: row.seq,
      eventType: row.event_type,
      aggregateId: row.aggregate_id,
      publishedAt: row.published_at,
      attempts: row.attempts,
      lastError: row.last_error,
    }));
  });
}

/**
 * Volume for load tests: `count` rows in one statement, spread over `users` aggregates. Only
 * where a test needs more events than driving the API would produce in reasonable time.
 */
export async function insertVolume(databaseUrl: string, count: number, users: number): Promise<void> {
  await withPgClient(databaseUrl, (client) =>
    client.query(
      `WITH u AS (SELECT gen_random_uuid() AS id, row_number() OVER () - 1 AS n FROM generate_series(1, $2))
       INSERT INTO outbox_events (id, event_type, aggregate_id, payload, metadata, occurred_at)
       SELECT gen_random_uuid(), 'user.profile.updated', u.id,
              jsonb_build_object('email', 'volume' || g || '@example.com', 'first_name', 'V' || g, 'last_name', 'Volume'),
              '{"actor_type":"system"}'::jsonb, now()
         FROM generate_series(1, $1) AS g JOIN u ON u.n = g % $2
        ORDER BY g`,
      [count, users],
    ),
  );
}

/**
 * The per-user order guarantee of docs/events.md as a check: for every user, the first appearance of each event in
 * the stream follows the outbox `seq` order (re-publications after a crash may repeat events
 * later, with the same event_id; consumers deduplicate those).
 */
export function perUserOrderViolations(entries: PublishedEntry[], outbox: OutboxRecord[]): string[] {
  const seqOf = new Map(outbox.map((row) => [row.id, row.seq]));
  const lastSeqByUser = new Map<string, number>();
  const seen = new Set<string>();
  const violations: string[] = [];
  for (const entry of entries) {
    if (seen.has(entry.eventId)) continue;
    seen.add(entry.eventId);
    const seq = seqOf.get(entry.eventId);
    if (seq === undefined) {
      violations.push(`stream entry ${entry.streamId} has unknown event_id ${entry.eventId}`);
      continue;
    }
    const previous = lastSeqByUser.get(entry.userId) ?? -1;
    if (entry.userId !== '' && seq < previous) violations.push(`user ${entry.userId}: seq ${seq} after ${previous}`);
    lastSeqByUser.set(entry.userId, Math.max(previous, seq));
  }
  return violations;
}

export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
  stepMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, stepMs)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
