import { ERROR_CATALOG, type ErrorCode } from './error-catalog';

/** One invalid field of a request, reported in the envelope's `details`. */
export interface FieldIssue {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  details?: FieldIssue[];
  /** Seconds the client should wait before retrying (sets `Retry-After`). */
  retryAfterSeconds?: number;
  /** The underlying failure; logged, never sent to a client. */
  cause?: unknown;
}

/**
 * The only error type that crosses layers. Its `message` is safe to show to a client; internals
 * travel in `cause`, which transports log but never serialise.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: FieldIssue[];
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? ERROR_CATALOG[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    if (options.details) this.details = options.details;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  static invalidInput(details: FieldIssue[], message = 'The request is invalid.'): AppError {
    return new AppError('INVALID_INPUT', message, { details });
  }

  static internal(cause: unknown): AppError {
    return new AppError('INTERNAL_ERROR', undefined, { cause });
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
