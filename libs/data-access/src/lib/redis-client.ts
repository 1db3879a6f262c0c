import type { RedisConnectionConfig } from '@pandora/config';
import Redis, { Cluster, type ClusterOptions, type RedisOptions as IoRedisOptions } from 'ioredis';

/** One Redis node, a Sentinel-managed master, or a Cluster: every Redis user takes either. */
export type RedisClient = Redis | Cluster;

export interface RedisOptions {
  /** Topology, credentials, TLS and key prefix (libs/config, REDIS_* variables). */
  connection: RedisConnectionConfig;
  connectionName: string;
  /** A command unanswered for this long fails (the server may still execute it); unset: no limit. */
  commandTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 2_000;

function reconnectBackoff(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), 3_000);
}

/**
 * After a failover the old master is demoted and answers writes with READONLY while this client is
 * still connected to it. Reconnecting makes Sentinel mode ask the sentinels for the new master (and a
 * single node find out nothing changed); the command itself is not resent: its caller decides.
 */
function reconnectOnReadOnly(error: Error): 1 | false {
  return error.message.startsWith('READONLY') ? 1 : false;
}

/**
 * The one place a Redis connection is made (apps, events tail, consumer helper users). The client
 * fails fast while Redis is away (no offline queue, one retry per command) and reconnects in the
 * background with capped backoff. Callers decide what a failure means (ARCHITECTURE.md: Redis
 * failure policy). A Cluster client follows MOVED/ASK and refreshes its slot map on failover.
 */
export function createRedisClient(options: RedisOptions): RedisClient {
  const { connection } = options;
  const credentials = {
    ...(connection.username !== undefined ? { username: connection.username } : {}),
    ...(connection.password !== undefined ? { password: connection.password } : {}),
    ...(connection.tls ? { tls: {} } : {}),
  };
  const perNode: IoRedisOptions = {
    connectionName: options.connectionName,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // On disconnect ioredis waits this long for the socket to close; a socket that already died
    // never will, and the default 2 s would keep a stopping process alive for nothing.
    disconnectTimeout: 200,
    maxRetriesPerRequest: 1,
    reconnectOnError: reconnectOnReadOnly,
    ...(options.commandTimeoutMs !== undefined ? { commandTimeout: options.commandTimeoutMs } : {}),
  };
  const topology = connection.topology;
  switch (topology.kind) {
    case 'single':
      // The URL's own user, password and scheme win over REDIS_USERNAME/REDIS_PASSWORD/REDIS_TLS.
      return new Redis(topology.url, {
        ...perNode,
        ...credentials,
        keyPrefix: connection.keyPrefix,
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: reconnectBackoff,
      });
    case 'sentinel':
      return new Redis({
        ...perNode,
        ...credentials,
        sentinels: topology.sentinels.map((node) => ({ host: node.host, port: node.port })),
        name: topology.masterName,
        role: 'master',
        ...(connection.sentinelPassword !== undefined ? { sentinelPassword: connection.sentinelPassword } : {}),
        ...(connection.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
        // Asks the sentinels again on every reconnect; a failover they announce ends this connection.
        failoverDetector: true,
        sentinelRetryStrategy: reconnectBackoff,
        keyPrefix: connection.keyPrefix,
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: reconnectBackoff,
      });
    case 'cluster': {
      const clusterOptions: ClusterOptions = {
        // The nodes' connections get the prefix too, so that a command sent to one node directly
        // (the relay's MULTI + WAIT, event-stream) addresses the same keys as the cluster client.
        redisOptions: { ...perNode, ...credentials, keyPrefix: connection.keyPrefix },
        keyPrefix: connection.keyPrefix,
        lazyConnect: true,
        enableOfflineQueue: false,
        enableReadyCheck: true,
        // Node addresses come from CLUSTER SLOTS; with TLS they must be used as given (no DNS lookup
        // of an IP, which a certificate for the name would not match anyway).
        ...(connection.tls
          ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) }
          : {}),
        clusterRetryStrategy: reconnectBackoff,
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        retryDelayOnTryAgain: 200,
        slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
        slotsRefreshInterval: 5_000,
      };
      return new Cluster(
        topology.nodes.map((node) => ({ host: node.host, port: node.port })),
        clusterOptions,
      );
    }
  }
}

/**
 * QUIT (the server closes the socket at once), then a disconnect: it also ends what QUIT leaves
 * behind (the Sentinel client's subscriptions to the sentinels, which would otherwise keep
 * reconnecting and hold the process open), and is all there is when Redis is unreachable.
 */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status !== 'end') await client.quit().catch(() => undefined);
  client.disconnect();
}
