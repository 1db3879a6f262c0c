import type { Cluster, default as Redis } from 'ioredis';

/** A client of one node (direct or through Sentinel) or of a Redis Cluster. */
export type StreamRedis = Redis | Cluster;

/**
 * The full key for commands ioredis does not prefix itself. ioredis applies `keyPrefix` to
 * commands whose key position it knows (XADD, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM,
 * XRANGE…) but not to container commands with a subcommand before the key (XGROUP, XINFO):
 * those would silently address the unprefixed key, i.e. another environment's stream.
 */
export function fullKey(redis: StreamRedis, key: string): string {
  return `${redis.options.keyPrefix ?? ''}${key}`;
}

/** The dead-letter stream (docs/events.md#dead-letter-entries): `user-service:events` → `user-service:events:dlq`. */
export function deadLetterStreamOf(stream: string): string {
  return `${stream}:dlq`;
}

/** CRC16-XMODEM, the hash of Redis Cluster's key slots. */
function crc16(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The Redis Cluster slot of a (full) key, honouring a `{hash tag}`. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(Buffer.from(key.slice(open + 1, close))) % 16384;
  }
  return crc16(Buffer.from(key)) % 16384;
}

/**
 * The connection to the master holding `key`. On one node (or Sentinel) that is the client
 * itself; on a Cluster, the node connection of the key's slot from the client's slot map.
 * Commands that must reach one server with no key of their own — WAIT after the writes it
 * counts, CLIENT ID/UNBLOCK of a blocked read — go through it.
 */
export function nodeFor(redis: StreamRedis, key: string): Redis {
  if (!redis.isCluster) return redis as Redis;
  const cluster = redis as Cluster;
  const slot = keySlot(fullKey(cluster, key));
  const owner = cluster.slots[slot]?.[0];
  const node =
    owner === undefined
      ? undefined
      : cluster.nodes('master').find((candidate) => `${candidate.options.host}:${candidate.options.port}` === owner);
  if (!node) {
    cluster.refreshSlotsCache();
    throw new Error(`CLUSTERDOWN no known master for slot ${slot} yet`);
  }
  return node;
}
