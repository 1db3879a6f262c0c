import { AppError, type FieldIssue } from './app-error';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog';

/** The JSON error envelope (docs/api.md#the-error-envelope), for every 4xx/5xx response. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    details?: FieldIssue[];
    request_id: string;
  };
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CATALOG[code].httpStatus;
}

/** The HTTP status and body for an error. Anything that is not an AppError is an internal error. */
export function toHttpError(error: unknown, requestId: string): { status: number; body: ErrorEnvelope } {
  const appError = error instanceof AppError ? error : AppError.internal(error);
  const body: ErrorEnvelope = {
    error: { code: appError.code, message: appError.message, request_id: requestId },
  };
  if (appError.code === 'INVALID_INPUT' && appError.details && appError.details.length > 0) {
    body.error.details = appError.details;
  }
  return { status: httpStatusOf(appError.code), body };
}
