import type Redis from 'ioredis';
import { encodeStreamEntry, type OutgoingEvent } from './stream-entry';

export interface StreamTarget {
  /** The stream key (the client's keyPrefix is added by ioredis). */
  stream: string;
  /** `XADD … MAXLEN ~ maxLength`: Redis trims old entries lazily, in whole macro nodes. */
  maxLength: number;
}

export interface AppendResult {
  /** How many leading events Redis accepted, in order. */
  accepted: number;
  /** The stream ids of the accepted events. */
  streamIds: string[];
  /** Why the event after the accepted ones was refused (absent when all were accepted). */
  error?: Error;
}

/**
 * Appends events to the stream in one MULTI/EXEC round trip, in the given order.
 *
 * MULTI/EXEC rather than a plain pipeline: Redis queues the whole batch and runs it without
 * interleaving other clients' commands, and errors detected while queueing (out of memory, a
 * wrong argument) abort the whole batch instead of leaving a hole in the middle of it. A hole
 * would publish a later event of a user before an earlier one that is retried afterwards.
 * Rejects when Redis cannot be reached; the caller treats the whole batch as not published.
 */
export async function appendToStream(redis: Redis, target: StreamTarget, events: OutgoingEvent[]): Promise<AppendResult> {
  if (events.length === 0) return { accepted: 0, streamIds: [] };
  const transaction = redis.multi();
  for (const event of events) {
    transaction.xadd(target.stream, 'MAXLEN', '~', String(target.maxLength), '*', ...encodeStreamEntry(event));
  }
  const results = await transaction.exec();
  if (results === null) throw new Error('Redis discarded the transaction');
  const streamIds: string[] = [];
  for (const [error, id] of results) {
    // A command failing inside EXEC does not stop the ones after it (Redis has no rollback);
    // only the prefix before the first failure counts as published, the rest is retried.
    if (error) return { accepted: streamIds.length, streamIds, error };
    streamIds.push(String(id));
  }
  return { accepted: streamIds.length, streamIds };
}
