import Redis from 'ioredis';

export interface RedisOptions {
  url: string;
  /** Prepended to every key (tests isolate suites with it; empty in production). */
  keyPrefix: string;
  connectionName: string;
  /** A command unanswered for this long fails (the server may still execute it); unset: no limit. */
  commandTimeoutMs?: number;
}

/**
 * A Redis client that fails fast while Redis is away (no offline queue, one retry per command)
 * and reconnects in the background with capped backoff. Callers decide what a failure means
 * (ARCHITECTURE.md: Redis failure policy).
 */
export function createRedisClient(options: RedisOptions): Redis {
  return new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    connectionName: options.connectionName,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // On disconnect ioredis waits this long for the socket to close; a socket that already died
    // never will, and the default 2 s would keep a stopping process alive for nothing.
    disconnectTimeout: 200,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 3_000),
    ...(options.commandTimeoutMs !== undefined ? { commandTimeout: options.commandTimeoutMs } : {}),
  });
}
