import { randomUUID } from 'node:crypto';
import { activeTraceparent, parseTraceparent } from '@pandora/observability';
import type { Request } from 'express';

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const USER_AGENT_MAX = 512;

/** The client's X-Request-ID when it is sane (≤128 of [A-Za-z0-9._-]), else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

/**
 * The client's address: the socket peer, or X-Forwarded-For only through proxies trusted by
 * TRUST_PROXY (express resolves `req.ip` from its trust-proxy setting). IPv4-mapped IPv6 is
 * shown as plain IPv4.
 */
export function clientIp(req: Request): string | null {
  const ip = req.ip ?? req.socket.remoteAddress ?? null;
  if (!ip) return null;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export function userAgent(req: Request): string | null {
  const value = req.headers['user-agent'];
  if (!value) return null;
  // Strip control characters: the value lands in audit rows and logs.
  const cleaned = value.replace(/[\p{Cc}]/gu, '');
  return cleaned.slice(0, USER_AGENT_MAX) || null;
}

/** The caller's W3C trace context header when it is valid. */
export function incomingTraceparent(req: Request): string | null {
  return parseTraceparent(req.headers.traceparent)?.traceparent ?? null;
}

/**
 * The trace context use cases copy into event metadata: the active span when tracing is on (so a
 * consumer continues this very trace), else whatever the caller sent.
 */
export function traceparentFrom(req: Request): string | null {
  return activeTraceparent() ?? incomingTraceparent(req);
}
