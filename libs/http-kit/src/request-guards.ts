import { createHash } from 'node:crypto';
import { AppError } from '@pandora/errors';
import type { Response } from 'express';

/** A rate limit as configured: its name in metrics/keys, the budget and the window. */
export interface RateLimitSpec {
  name: string;
  limit: number;
  windowMs: number;
}

export interface RateLimitCheck {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
  /** Redis could not decide and the request was let through (fail open). */
  degraded: boolean;
}

/** Implemented over Redis by @pandora/abuse-controls. */
export interface RequestLimiter {
  check(rule: RateLimitSpec & { subject: string }): Promise<RateLimitCheck>;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type IdempotencyBegin<Handle> =
  { kind: 'started'; handle: Handle } | { kind: 'replay'; response: StoredResponse } | { kind: 'mismatch' } | { kind: 'in_progress' };

/** Implemented over Redis by @pandora/abuse-controls. */
export interface IdempotencyStore<Handle = unknown> {
  begin(input: { scope: string; key: string; request: string }): Promise<IdempotencyBegin<Handle>>;
  complete(handle: Handle, response: StoredResponse): Promise<void>;
  abandon(handle: Handle): Promise<void>;
}

export interface RouterGuards {
  limiter?: RequestLimiter;
  /** Every route of the router, counted per client IP before authentication. */
  perIp?: RateLimitSpec;
  /** Every authenticated route, counted per user after authentication. */
  perUser?: RateLimitSpec;
  idempotency?: IdempotencyStore;
  /**
   * Admin routes need a principal authenticated with a second factor (`aal` 2 from
   * Authenticator.describe); others get 403 MFA_ENROLMENT_REQUIRED, after the admin check.
   */
  adminSecondFactor?: boolean;
}

const RATE_LIMIT_DECISION = 'rateLimitDecision';

/**
 * Counts the request against `rule`; 429 RATE_LIMITED with Retry-After when the budget is spent.
 * The RateLimit-* headers describe the most restrictive limit the request went through.
 */
export async function enforceRateLimit(limiter: RequestLimiter, rule: RateLimitSpec & { subject: string }, res: Response): Promise<void> {
  const decision = await limiter.check(rule);
  if (decision.degraded) return;
  const previous = res.locals[RATE_LIMIT_DECISION] as RateLimitCheck | undefined;
  if (!previous || decision.remaining < previous.remaining || !decision.allowed) {
    res.locals[RATE_LIMIT_DECISION] = decision;
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    res.setHeader('RateLimit-Reset', String(decision.resetSeconds));
  }
  if (!decision.allowed) {
    throw new AppError('RATE_LIMITED', `Too many requests (${rule.name} limit); try again later.`, {
      retryAfterSeconds: decision.resetSeconds,
    });
  }
}

const PRINTABLE_KEY = /^[\x20-\x7E]{1,255}$/;

/** The Idempotency-Key header, or null; 400 when it is not 1–255 printable ASCII characters. */
export function idempotencyKeyFrom(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!PRINTABLE_KEY.test(value)) {
    throw AppError.invalidInput([{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }]);
  }
  return value;
}

/** JSON with object keys sorted at every depth: two bodies that mean the same hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

export function requestFingerprintSource(method: string, url: string, body: unknown): string {
  return `${method} ${url}\n${createHash('sha256')
    .update(canonicalJson(body ?? null))
    .digest('hex')}`;
}
