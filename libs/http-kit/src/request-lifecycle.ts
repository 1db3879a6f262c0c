import type { AppMetrics, Logger } from '@pandora/observability';
import { currentTraceIds, newTraceId, parseTraceparent, runWithLogContext, type LogContext } from '@pandora/observability';
import type { NextFunction, Request, Response } from 'express';
import { incomingTraceparent, requestIdFrom } from './client-context';

/**
 * First middleware of every listener: assigns the request id (echoed in X-Request-ID and every
 * log line), then writes one access-log line and the HTTP metrics when the response finishes.
 */
export function requestLifecycle(logger: Logger, metrics?: AppMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const started = process.hrtime.bigint();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-ID', requestId);
    // Trace ids are captured here, where the server span is active, so that every line of the
    // request — the access log written on 'finish' included — carries them. Without tracing, the
    // caller's traceparent still correlates our lines with theirs; without either, a fresh W3C
    // trace id does (docs/observability.md#logs: a trace id on every line; no span exists, so no span id).
    const incoming = parseTraceparent(incomingTraceparent(req));
    const context: LogContext = {
      request_id: requestId,
      ...(currentTraceIds() ?? (incoming ? { trace_id: incoming.traceId, span_id: incoming.spanId } : { trace_id: newTraceId() })),
    };

    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (res.locals.routePattern as string | undefined) ?? 'unmatched';
      metrics?.recordHttpRequest({ method: req.method, route, status_code: res.statusCode }, seconds);
      runWithLogContext(context, () =>
        logger.info('http request', {
          method: req.method,
          route,
          status: res.statusCode,
          duration_ms: Math.round(seconds * 1e5) / 100,
          user_id: res.locals.userId,
        }),
      );
    });
    runWithLogContext(context, next);
  };
}
