import type { Cluster, default as Redis } from 'ioredis';
import { nodeFor, type StreamRedis } from './redis-keys';
import { encodeStreamEntry, type OutgoingEvent } from './stream-entry';

export interface StreamTarget {
  /** The stream key (the client's keyPrefix is added by ioredis). */
  stream: string;
  /** `XADD … MAXLEN ~ maxLength`: Redis trims old entries lazily, in whole macro nodes. */
  maxLength: number;
}

/**
 * How many replicas must have the entries before they count as published (`WAIT numreplicas
 * timeout` on the connection that wrote them). A master lost after acknowledging an XADD that no
 * replica had yet takes the entry with it when a replica is promoted; a batch that is not
 * acknowledged in time is reported as refused, and its events are appended again later
 * (consumers deduplicate by event_id).
 */
export interface StreamDurability {
  /** Replicas required for the master that holds the stream (0: no WAIT). */
  replicasFor(node: Redis): Promise<number>;
  timeoutMs: number;
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
export async function appendToStream(
  redis: StreamRedis,
  target: StreamTarget,
  events: OutgoingEvent[],
  durability?: StreamDurability,
): Promise<AppendResult> {
  if (events.length === 0) return { accepted: 0, streamIds: [] };
  // On a Cluster the MULTI and the WAIT go to the stream's master connection itself: WAIT counts
  // the replicas that have this connection's own writes, so it must follow them on one socket.
  const node = nodeFor(redis, target.stream);
  try {
    const transaction = node.multi();
    for (const event of events) {
      transaction.xadd(target.stream, 'MAXLEN', '~', String(target.maxLength), '*', ...encodeStreamEntry(event));
    }
    const results = await transaction.exec();
    if (results === null) throw new Error('Redis discarded the transaction');
    const streamIds: string[] = [];
    let error: Error | undefined;
    for (const [failure, id] of results) {
      // A command failing inside EXEC does not stop the ones after it (Redis has no rollback);
      // only the prefix before the first failure counts as published, the rest is retried.
      if (failure) {
        error = failure;
        break;
      }
      streamIds.push(String(id));
    }
    if (durability && streamIds.length > 0) {
      const required = await durability.replicasFor(node);
      if (required > 0) {
        const acknowledged = await node.wait(required, durability.timeoutMs);
        if (acknowledged < required) {
          return {
            accepted: 0,
            streamIds: [],
            error: new Error(
              `NOREPLICAS ${acknowledged} of ${required} replica(s) acknowledged the entries within ${durability.timeoutMs} ms; they are appended again later`,
            ),
          };
        }
      }
    }
    return { accepted: streamIds.length, streamIds, ...(error ? { error } : {}) };
  } catch (error) {
    // MOVED/ASK, a master gone: the client's slot map is stale; the next attempt uses a fresh one.
    if (redis.isCluster) (redis as Cluster).refreshSlotsCache();
    throw error;
  }
}

/**
 * EVENT_RELAY_WAIT_REPLICAS as a policy: a number is required as given; `auto` requires one
 * replica where replicas are part of the design (Sentinel) and, elsewhere, from the first time the
 * master was seen with a replica (ROLE) on — so that a replica that drops away during a failover
 * cannot quietly lower the bar to zero.
 */
const ROLE_RECHECK_MS = 5_000;

export function replicaPolicy(setting: number | 'auto', expectReplicas: boolean): (node: Redis) => Promise<number> {
  if (setting !== 'auto') return () => Promise.resolve(setting);
  if (expectReplicas) return () => Promise.resolve(1);
  const seenWithReplicas = new WeakSet<Redis>();
  // A master without replicas is asked again at most this often (not on every batch).
  const lookedAt = new WeakMap<Redis, number>();
  return async (node) => {
    if (seenWithReplicas.has(node)) return 1;
    if (Date.now() - (lookedAt.get(node) ?? -Infinity) < ROLE_RECHECK_MS) return 0;
    const role = (await node.call('ROLE')) as [string, number, unknown[]?];
    lookedAt.set(node, Date.now());
    if (role[0] === 'master' && Array.isArray(role[2]) && role[2].length > 0) {
      seenWithReplicas.add(node);
      return 1;
    }
    return 0;
  };
}
