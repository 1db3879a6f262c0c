import type { Cluster, default as Redis } from 'ioredis';
import type { RedisClient } from './redis-client';
import type { Queryable } from './sql/database';

/** `read_only`: Redis answers, but the node written to is a replica (a failover is under way). */
export type CheckStatus = 'up' | 'down' | 'read_only';

async function withTimeout(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return result === 'read_only' ? 'read_only' : 'up';
  } catch {
    return 'down';
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** `probe` (default `SELECT 1`) answered within `timeoutMs`. */
export function checkDatabase(
  db: Queryable,
  timeoutMs: number,
  probe: (db: Queryable) => Promise<unknown> = (target) => target.query('SELECT 1'),
): Promise<CheckStatus> {
  return withTimeout(() => probe(db), timeoutMs);
}

async function roleOf(node: Redis): Promise<string> {
  const reply = (await node.call('ROLE')) as unknown[];
  return String(reply[0]);
}

/**
 * Up when every node this client writes to is a master (`ROLE`): the one node, the master Sentinel
 * named, or each master of the Cluster's slot map. A replica (the demoted master of a failover
 * that this client has not left yet) is `read_only`; no answer is `down`.
 */
export function checkRedis(redis: RedisClient, timeoutMs: number): Promise<CheckStatus> {
  return withTimeout(async () => {
    if (!redis.isCluster) return (await roleOf(redis as Redis)) === 'master' ? 'up' : 'read_only';
    const cluster = redis as Cluster;
    const info = String(await cluster.cluster('INFO'));
    if (!/cluster_state:ok/.test(info)) throw new Error('the cluster reports a failing state');
    const masters = cluster.nodes('master');
    if (masters.length === 0) throw new Error('no master known');
    const roles = await Promise.all(masters.map((node) => roleOf(node)));
    return roles.every((role) => role === 'master') ? 'up' : 'read_only';
  }, timeoutMs);
}
