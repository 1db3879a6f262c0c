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
 * SQLSTATEs of node-postgres errors (reads that run on the pool directly, directPoolOf) that the
 * driver adapter turns into DatabaseDoesNotExist and TooManyConnections for Prisma's queries.
 */
const UNAVAILABLE_SQLSTATES = new Set(['3D000', '53300']);

function isUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const candidate = error as { code?: unknown; kind?: unknown; name?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
  if (typeof candidate.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(candidate.kind)) return true;
  if (
    typeof candidate.code === 'string' &&
    (UNAVAILABLE_PRISMA_CODES.has(candidate.code) || UNAVAILABLE_NODE_CODES.has(candidate.code) || UNAVAILABLE_SQLSTATES.has(candidate.code))
  ) {
    return true;
  }
  if (candidate.name === 'PrismaClientInitializationError') return true;
  // ioredis: a command with the offline queue disabled while disconnected.
  if (typeof candidate.message === 'string' && /Stream isn't writeable|Connection is closed|enableOfflineQueue/.test(candidate.message)) {
    return true;
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
  const candidate = error as { code?: string; meta?: { target?: unknown; driverAdapterError?: { cause?: { originalMessage?: string; constraint?: unknown } } } };
  if (candidate?.code !== 'P2002') return false;
  const adapterCause = candidate.meta?.driverAdapterError?.cause;
  const text = JSON.stringify([candidate.meta?.target, adapterCause?.originalMessage, adapterCause?.constraint]);
  return text.includes(constraint);
}
