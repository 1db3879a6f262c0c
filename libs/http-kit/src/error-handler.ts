import { AppError, toHttpError } from '@pandora/errors';
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

/**
 * Refusals worth a security line, written whatever the log level (SPEC §12): someone without a
 * valid credential, someone doing what they may not, someone over a limit. A failed login is one
 * of the 401s; the login use case adds its own line with the reason and the masked email.
 */
const SECURITY_EVENT_BY_STATUS: Partial<Record<number, string>> = {
  401: 'authentication_failed',
  403: 'access_denied',
  429: 'rate_limited',
};

/** The last middleware: every error becomes the SPEC §2 envelope; 5xx are logged with the request id. */
export function errorHandler(logger: Logger, translate?: ErrorTranslator) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    const appError = toAppError(error, translate);
    const requestId = (res.locals.requestId as string | undefined) ?? 'unknown';
    const { status, body } = toHttpError(appError, requestId);
    const route = (res.locals.routePattern as string | undefined) ?? 'unmatched';
    if (status >= 500) {
      logger.error('request failed', { error: appError.cause ?? error, code: appError.code, method: req.method, route });
    }
    const securityEvent = SECURITY_EVENT_BY_STATUS[status];
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
