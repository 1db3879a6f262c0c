import { AppError } from '@pandora/errors';

/**
 * Turns "the database/Redis is unreachable" into 503 SERVICE_UNAVAILABLE; anything else stays as
 * it is (and becomes a 500 at the edge). Transports call this once, in their error mapping.
 */
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
/**
 * SQLSTATEs meaning "no database to talk to right now": missing database, too many connections,
 * the backend terminated by an administrator or a crash, the server starting up or shutting down,
 * and the whole connection-exception class 08.
 */
const UNAVAILABLE_SQLSTATES = new Set(['3D000', '53300', '57P01', '57P02', '57P03', '57P05']);
const CONNECTION_EXCEPTION_CLASS = /^08[0-9A-Z]{3}$/;
/**
 * node-postgres reports a socket that died mid-query, or a connect that timed out, as a plain
 * Error with no code, so only its message tells.
 */
/**
 * Redis replies and ioredis errors of a failover or a cluster in motion: the node written to was
 * demoted (READONLY), the slot moved or is migrating (MOVED, ASK, TRYAGAIN), the cluster or the
 * master is down (CLUSTERDOWN, MASTERDOWN), a replica still loading, WAIT's replicas missing, and
 * the client's own "no node / no sentinel / no answer" errors. All mean "try again shortly".
 */
const REDIS_UNAVAILABLE =
  /^(READONLY|MOVED|ASK|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|LOADING|NOREPLICAS|BUSY )|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready|All sentinels are unreachable|Command timed out|Too many Cluster redirections|Reached the max retries per request limit/;
const UNAVAILABLE_PG_MESSAGES =
  /^(Connection terminated unexpectedly|Connection terminated due to connection timeout|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)$/;

function isUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const candidate = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (
    typeof candidate.code === 'string' &&
    (UNAVAILABLE_NODE_CODES.has(candidate.code) ||
      UNAVAILABLE_SQLSTATES.has(candidate.code) ||
      CONNECTION_EXCEPTION_CLASS.test(candidate.code))
  ) {
    return true;
  }
  if (typeof candidate.message === 'string') {
    // ioredis: a command with the offline queue disabled while disconnected.
    if (/Stream isn't writeable|Connection is closed|enableOfflineQueue/.test(candidate.message)) return true;
    if (REDIS_UNAVAILABLE.test(candidate.message)) return true;
    if (UNAVAILABLE_PG_MESSAGES.test(candidate.message)) return true;
  }
  // AggregateError (a connect to every address of a host refused) and wrapped errors.
  const inner = (error as { errors?: unknown[] }).errors;
  return isUnavailable(candidate.cause, depth + 1) || (Array.isArray(inner) && inner.some((item) => isUnavailable(item, depth + 1)));
}

export function translateInfrastructureError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (isUnavailable(error)) return new AppError('SERVICE_UNAVAILABLE', undefined, { cause: error });
  return null;
}

/** True when `error` is the unique-index violation (SQLSTATE 23505) named `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const candidate = error as { code?: unknown; constraint?: unknown } | null;
  return candidate?.code === '23505' && candidate.constraint === constraint;
}
