import type Redis from 'ioredis';

/**
 * The full key for commands ioredis does not prefix itself. ioredis applies `keyPrefix` to
 * commands whose key position it knows (XADD, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM,
 * XRANGE…) but not to container commands with a subcommand before the key (XGROUP, XINFO):
 * those would silently address the unprefixed key, i.e. another environment's stream.
 */
export function fullKey(redis: Redis, key: string): string {
  return `${redis.options.keyPrefix ?? ''}${key}`;
}

/** The dead-letter stream (docs/events.md#dead-letter-entries): `user-service:events` → `user-service:events:dlq`. */
export function deadLetterStreamOf(stream: string): string {
  return `${stream}:dlq`;
}
