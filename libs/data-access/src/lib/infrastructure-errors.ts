import { AppError } from '@pandora/errors';

/**
 * Turns "the database/Redis is unreachable" into 503 SERVICE_UNAVAILABLE; anything else stays as
 * it is (and becomes a 500 at the edge). Transports call this once, in their error mapping.
 */
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionAlreadyClosed',
]);
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
/**
 * SQLSTATEs meaning "no database to talk to right now", whether node-postgres reports them
 * directly (reads on the pool, directPoolOf) or the driver adapter wraps them (raw queries fail as
 * P2010 with the SQLSTATE in meta.driverAdapterError.cause.code): missing database, too many
 * connections, the backend terminated by an administrator or a crash, the server starting up or
 * shutting down, and the whole connection-exception class 08.
 */
const UNAVAILABLE_SQLSTATES = new Set(['3D000', '53300', '57P01', '57P02', '57P03', '57P05']);
const CONNECTION_EXCEPTION_CLASS = /^08[0-9A-Z]{3}$/;
/**
 * node-postgres reports a socket that died mid-query, or a connect that timed out, as a plain
 * Error with no code — through Prisma's adapter too — so only its message tells.
 */
const UNAVAILABLE_PG_MESSAGES =
  /^(Connection terminated unexpectedly|Connection terminated due to connection timeout|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)$/;

function isUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const candidate = error as { code?: unknown; kind?: unknown; name?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
  if (typeof candidate.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(candidate.kind)) return true;
  if (
    typeof candidate.code === 'string' &&
    (UNAVAILABLE_PRISMA_CODES.has(candidate.code) ||
      UNAVAILABLE_NODE_CODES.has(candidate.code) ||
      UNAVAILABLE_SQLSTATES.has(candidate.code) ||
      CONNECTION_EXCEPTION_CLASS.test(candidate.code))
  ) {
    return true;
  }
  if (candidate.name === 'PrismaClientInitializationError') return true;
  if (typeof candidate.message === 'string') {
    // ioredis: a command with the offline queue disabled while disconnected.
    if (/Stream isn't writeable|Connection is closed|enableOfflineQueue/.test(candidate.message)) return true;
    if (UNAVAILABLE_PG_MESSAGES.test(candidate.message)) return true;
  }
  const meta = candidate.meta as { driverAdapterError?: unknown } | undefined;
  return isUnavailable(candidate.cause, depth + 1) || isUnavailable(meta?.driverAdapterError, depth + 1);
}

export function translateInfrastructureError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (isUnavailable(error)) return new AppError('SERVICE_UNAVAILABLE', undefined, { cause: error });
  return null;
}

/** True when `error` is the unique-index violation named `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const candidate = error as {
    code?: string;
    meta?: { target?: unknown; driverAdapterError?: { cause?: { originalMessage?: string; constraint?: unknown } } };
  };
  if (candidate?.code !== 'P2002') return false;
  const adapterCause = candidate.meta?.driverAdapterError?.cause;
  const text = JSON.stringify([candidate.meta?.target, adapterCause?.originalMessage, adapterCause?.constraint]);
  return text.includes(constraint);
}
