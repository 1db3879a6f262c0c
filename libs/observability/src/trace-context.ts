import { context, propagation } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The W3C traceparent of the active span, or null when tracing is off (the API is a no-op then). */
export function activeTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** Trace and parent span ids of a W3C traceparent header, if it is one. */
export function parseTraceparent(value: string | null | undefined): { trace_id: string; span_id: string } | null {
  const match = value ? TRACEPARENT.exec(value) : null;
  return match ? { trace_id: match[1] as string, span_id: match[2] as string } : null;
}
