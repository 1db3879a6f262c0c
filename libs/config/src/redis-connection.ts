import { LOCAL_REDIS_URL, redactUrl, redisUrlFromEnv, type Env } from './connection-urls';

/** One `host:port` of REDIS_SENTINELS or REDIS_CLUSTER_NODES. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/**
 * Where Redis is, in one of three shapes (exactly one is configured):
 *  - `single`: REDIS_URL (or the split REDIS_HOST/REDIS_PORT/REDIS_DB form), one server;
 *  - `sentinel`: REDIS_SENTINELS + REDIS_SENTINEL_MASTER, the client asks the sentinels for the master;
 *  - `cluster`: REDIS_CLUSTER_NODES, a few seed nodes from which the client learns the slot map.
 */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | { kind: 'sentinel'; sentinels: RedisNodeAddress[]; masterName: string }
  | { kind: 'cluster'; nodes: RedisNodeAddress[] };

export interface RedisConnectionConfig {
  topology: RedisTopology;
  /** REDIS_USERNAME (an ACL user) for the data nodes; a single-node URL's own user wins. */
  username?: string;
  /** REDIS_PASSWORD for the data nodes; a single-node URL's own password wins. */
  password?: string;
  /** REDIS_SENTINEL_PASSWORD: the sentinels' own password (`requirepass` of sentinel.conf). */
  sentinelPassword?: string;
  /** REDIS_TLS (or a `rediss://` URL): TLS to the data nodes and, in sentinel mode, to the sentinels. */
  tls: boolean;
  /** Prepended to every key (tests isolate suites with it; empty in production). */
  keyPrefix: string;
  /** Nothing was configured: the local development default is in use. */
  isLocalDefault: boolean;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/** `host:port,host:port` (IPv6 as `[::1]:26379`); a missing port takes `defaultPort`. */
export function parseNodeList(value: string, defaultPort: number): { nodes: RedisNodeAddress[]; problem?: string } {
  const nodes: RedisNodeAddress[] = [];
  for (const item of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9_.-]+))(?::(\d{1,5}))?$/.exec(item);
    const port = match?.[3] === undefined ? defaultPort : Number(match[3]);
    if (!match || port < 1 || port > 65535) return { nodes: [], problem: `"${item}" is not host:port` };
    nodes.push({ host: (match[1] ?? match[2]) as string, port });
  }
  if (nodes.length === 0) return { nodes, problem: 'expected a comma-separated list of host:port' };
  return { nodes };
}

function parseBool(value: string): boolean | undefined {
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return undefined;
}

/**
 * Reads the Redis variables into one connection description, or the problems that prevent it
 * (each naming its variable). `configured: false` when no topology variable is set at all (the
 * local default then applies, which deployed environments refuse).
 */
export function redisConnectionFromEnv(
  env: Env,
  keyPrefix: string,
): { connection: RedisConnectionConfig; configured: boolean; problems: string[] } {
  const problems: string[] = [];
  const sentinels = nonEmpty(env.REDIS_SENTINELS);
  const masterName = nonEmpty(env.REDIS_SENTINEL_MASTER);
  const clusterNodes = nonEmpty(env.REDIS_CLUSTER_NODES);
  const url = redisUrlFromEnv(env);
  const urlVariable = nonEmpty(env.REDIS_URL) ? 'REDIS_URL' : 'REDIS_HOST';

  const chosen = [
    url !== null ? urlVariable : null,
    sentinels ? 'REDIS_SENTINELS' : null,
    clusterNodes ? 'REDIS_CLUSTER_NODES' : null,
  ].filter((name): name is string => name !== null);
  if (chosen.length > 1) {
    problems.push(`${chosen.join(', ')}: set exactly one Redis topology (one node, Sentinel or Cluster), not ${chosen.length}`);
  }
  if (masterName && !sentinels) problems.push('REDIS_SENTINEL_MASTER: only meaningful with REDIS_SENTINELS (it is not set)');
  if (sentinels && !masterName)
    problems.push('REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS (the master group name the sentinels monitor)');
  if (nonEmpty(env.REDIS_SENTINEL_PASSWORD) && !sentinels) problems.push('REDIS_SENTINEL_PASSWORD: only meaningful with REDIS_SENTINELS');
  if (clusterNodes && nonEmpty(env.REDIS_DB) && env.REDIS_DB?.trim() !== '0') {
    problems.push('REDIS_DB: a Redis Cluster has only database 0');
  }

  let tls = false;
  const tlsText = nonEmpty(env.REDIS_TLS);
  if (tlsText !== undefined) {
    const parsed = parseBool(tlsText);
    if (parsed === undefined) problems.push(`REDIS_TLS: expected true or false (got "${tlsText}")`);
    else tls = parsed;
  }

  let topology: RedisTopology = { kind: 'single', url: url ?? LOCAL_REDIS_URL };
  if (sentinels) {
    const list = parseNodeList(sentinels, 26379);
    if (list.problem) problems.push(`REDIS_SENTINELS: ${list.problem}`);
    topology = { kind: 'sentinel', sentinels: list.nodes, masterName: masterName ?? '' };
  } else if (clusterNodes) {
    const list = parseNodeList(clusterNodes, 6379);
    if (list.problem) problems.push(`REDIS_CLUSTER_NODES: ${list.problem}`);
    topology = { kind: 'cluster', nodes: list.nodes };
  } else if (url !== null) {
    let protocol: string | null = null;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = null;
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:') {
      problems.push(
        `${urlVariable}: expected a URL with scheme redis:// or rediss:// (value hidden; for Sentinel use REDIS_SENTINELS and REDIS_SENTINEL_MASTER, for Cluster REDIS_CLUSTER_NODES)`,
      );
    } else if (protocol === 'rediss:') {
      if (tlsText !== undefined && !tls) problems.push('REDIS_TLS: false contradicts the rediss:// scheme of REDIS_URL');
      tls = true;
    }
  }

  const username = nonEmpty(env.REDIS_USERNAME);
  const password = nonEmpty(env.REDIS_PASSWORD);
  const sentinelPassword = nonEmpty(env.REDIS_SENTINEL_PASSWORD);
  return {
    connection: {
      topology,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
      tls,
      keyPrefix,
      isLocalDefault: chosen.length === 0,
    },
    configured: chosen.length > 0,
    problems,
  };
}

/** Where Redis is, for log lines and error messages: never a password. */
export function describeRedis(connection: RedisConnectionConfig): string {
  const list = (nodes: RedisNodeAddress[]) =>
    nodes.map((node) => (node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`)).join(',');
  switch (connection.topology.kind) {
    case 'single':
      return redactUrl(connection.topology.url);
    case 'sentinel':
      return `sentinel ${connection.topology.masterName} via ${list(connection.topology.sentinels)}`;
    case 'cluster':
      return `cluster via ${list(connection.topology.nodes)}`;
  }
}

/** True when the data nodes are reached with a password (from REDIS_PASSWORD or the URL). */
export function redisPasswordSet(connection: RedisConnectionConfig): boolean {
  if (connection.password !== undefined) return true;
  if (connection.topology.kind !== 'single') return false;
  try {
    return new URL(connection.topology.url).password !== '';
  } catch {
    return false;
  }
}
