import { AppError, toHttpError, type ErrorCode } from '@pandora/errors';
import type { Logger } from '@pandora/observability';
import type { NextFunction, Request, Response } from 'express';
import { clientIp } from './client-context';
import { translateBodyParserError } from './json-body';
import type { RouteTable } from './route-table';

/** Maps infrastructure failures (database down…) to AppErrors; supplied by the composition root. */
export type ErrorTranslator = (error: unknown) => AppError | null;

function toAppError(error: unknown, translate?: ErrorTranslator): AppError {
  if (error instanceof AppError) return error;
  const translated = translate?.(error);
  if (translated) return translated;
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  // Errors raised by express/body-parser themselves (malformed percent-encoding, aborted body…).
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (error instanceof URIError || status === 400) return AppError.invalidInput([{ field: 'path', message: 'Malformed request.' }]);
    return translateBodyParserError(error);
  }
  return AppError.internal(error);
}

export type SecurityRefusal = 'authentication_failed' | 'access_denied' | 'rate_limited';

/**
 * Refusals worth a security line, written whatever the log level (docs/observability.md#security-events): someone without a
 * valid credential (the 401 codes), someone doing what they may not (403), someone over a limit
 * (429). A failed login is one of the 401s; the login use case adds its own line with the reason
 * and the masked email. Total over the catalog: a new code does not compile until it is decided here.
 */
export const SECURITY_REFUSAL: Record<ErrorCode, SecurityRefusal | null> = {
  INVALID_INPUT: null,
  INVALID_OR_EXPIRED_TOKEN: null,
  UNAUTHORIZED: 'authentication_failed',
  INVALID_TOKEN: 'authentication_failed',
  TOKEN_EXPIRED: 'authentication_failed',
  INVALID_CREDENTIALS: 'authentication_failed',
  INVALID_REFRESH_TOKEN: 'authentication_failed',
  MFA_REQUIRED: 'authentication_failed',
  INVALID_MFA_CODE: 'authentication_failed',
  INVALID_MFA_TOKEN: 'authentication_failed',
  FORBIDDEN: 'access_denied',
  ACCOUNT_FROZEN: 'access_denied',
  MFA_ENROLMENT_REQUIRED: 'access_denied',
  USER_NOT_FOUND: null,
  NOT_FOUND: null,
  METHOD_NOT_ALLOWED: null,
  USER_ALREADY_EXISTS: null,
  INVALID_KYC_TRANSITION: null,
  IDEMPOTENCY_IN_PROGRESS: null,
  EMAIL_ALREADY_VERIFIED: null,
  MFA_ALREADY_ENABLED: null,
  MFA_SETUP_REQUIRED: null,
  PAYLOAD_TOO_LARGE: null,
  UNSUPPORTED_MEDIA_TYPE: null,
  IDEMPOTENCY_KEY_REUSED: null,
  WEAK_PASSWORD: null,
  RATE_LIMITED: 'rate_limited',
  INTERNAL_ERROR: null,
  SERVICE_UNAVAILABLE: null,
};

/** The last middleware: every error becomes the envelope of docs/api.md#the-error-envelope; 5xx are logged with the request id. */
export function errorHandler(logger: Logger, translate?: ErrorTranslator) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    const appError = toAppError(error, translate);
    const requestId = (res.locals.requestId as string | undefined) ?? 'unknown';
    const { status, body } = toHttpError(appError, requestId);
    const route = (res.locals.routePattern as string | undefined) ?? 'unmatched';
    if (status >= 500) {
      logger.error('request failed', { error: appError.cause ?? error, code: appError.code, method: req.method, route });
    }
    const securityEvent = SECURITY_REFUSAL[appError.code];
    if (securityEvent) {
      logger.security(securityEvent, {
        status,
        code: appError.code,
        detail: appError.message,
        method: req.method,
        route,
        ip_address: clientIp(req),
        request_id: requestId,
        user_id: res.locals.userId as string | undefined,
      });
    }
    if (res.headersSent) {
      next(error);
      return;
    }
    if (appError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(appError.retryAfterSeconds))));
    res.status(status).json(body);
  };
}

/** After all routes: 405 with Allow when the path exists under another method, else 404. */
export function notFoundHandler(table: RouteTable) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const allowed = table.allowedMethods(req.path);
    if (allowed.length > 0) {
      res.setHeader('Allow', allowed.join(', '));
      next(new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${allowed.join(', ')}.`));
    } else {
      next(new AppError('NOT_FOUND', 'No such route.'));
    }
  };
}
