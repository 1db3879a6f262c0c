import { context, propagation } from '@opentelemetry/api';

/** A valid W3C `traceparent` (https://www.w3.org/TR/trace-context/) and the ids it carries. */
export interface TraceContext {
  traceparent: string;
  traceId: string;
  spanId: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;

/**
 * Parses a `traceparent` header or metadata value. Anything invalid is ignored (null), as the
 * specification asks: version ff, all-zero ids, upper-case hex, and (for version 00) trailing data.
 */
export function parseTraceparent(value: unknown): TraceContext | null {
  if (typeof value !== 'string' || value.length > 512) return null;
  const match = TRACEPARENT.exec(value);
  if (!match) return null;
  const [, version, traceId, spanId, , rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return null;
  if (version === '00' && rest !== undefined) return null;
  return { traceparent: value, traceId, spanId };
}

/** The W3C traceparent of the active span, or null when tracing is off (the API is a no-op then). */
export function activeTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}
