import { randomBytes } from 'node:crypto';
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

/** Random bytes for 256 trace ids, drawn at once: one call into the CSPRNG per 256 requests, not per request. */
const TRACE_ID_BYTES = 16;
let idPool = Buffer.alloc(0);
let idOffset = 0;

/**
 * A fresh random W3C trace id (32 lower-case hex digits), for log lines of a request or call that
 * came without a trace and runs without tracing (docs/observability.md#logs). Only ever used to
 * tie log lines together: not a secret, so ids drawn from one buffer of random bytes are as good
 * as ids drawn one by one (crypto.randomUUID pools the same way).
 */
export function newTraceId(): string {
  if (idOffset >= idPool.length) {
    idPool = randomBytes(TRACE_ID_BYTES * 256);
    idOffset = 0;
  }
  const id = idPool.toString('hex', idOffset, idOffset + TRACE_ID_BYTES);
  idOffset += TRACE_ID_BYTES;
  return id;
}
