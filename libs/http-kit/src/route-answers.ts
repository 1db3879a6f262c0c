import { ERROR_CATALOG, type ErrorCode } from '@pandora/errors';
import type { RouterGuards } from './request-guards';
import type { HttpMethod, RouteDefinition } from './route-definition';

/** Methods whose routes read a JSON body even without a body schema (it must then be `{}`). */
export const BODY_METHODS: ReadonlySet<HttpMethod> = new Set<HttpMethod>(['post', 'put', 'patch']);
/** Methods on which a client may send `Idempotency-Key` (docs/abuse-controls.md#idempotency-keys). */
export const IDEMPOTENT_CAPABLE_METHODS: ReadonlySet<HttpMethod> = new Set<HttpMethod>(['post', 'put', 'patch', 'delete']);

/** Why a route may answer 429: the listener's budgets and the route's own limit. */
export interface RateLimitSources {
  perIp: boolean;
  perUser: boolean;
  route: boolean;
}

/** Everything a route can answer besides its declared responses, as the OpenAPI document lists it. */
export interface RouteAnswers {
  /** Every error code the route can answer with (INTERNAL_ERROR always). */
  errors: ErrorCode[];
  rateLimits: RateLimitSources;
  /** The route counts against at least one rate limit, so its answers may carry RateLimit-* headers. */
  rateLimited: boolean;
  /** The route honours `Idempotency-Key`. */
  idempotent: boolean;
  /** Error statuses a replay can repeat: 4xx (except 429) raised after the key was taken. */
  replayableErrorStatuses: number[];
}

/**
 * What a route can answer, derived stage by stage from the pipeline of `buildRouter` (router.ts):
 *   per-IP limit → authenticate → per-user limit → admin check → read body → Idempotency-Key
 *   → validate → route limit → handler.
 * Only the stages the route definition and the listener's guards switch on contribute.
 */
export function routeAnswers(route: RouteDefinition<unknown>, guards: RouterGuards = {}): RouteAnswers {
  const rateLimits: RateLimitSources = {
    perIp: Boolean(guards.limiter && guards.perIp),
    perUser: Boolean(guards.limiter && guards.perUser) && route.auth !== 'none',
    route: Boolean(guards.limiter && route.rateLimit),
  };
  const rateLimited = rateLimits.perIp || rateLimits.perUser || rateLimits.route;
  const readsBody = route.body !== undefined || BODY_METHODS.has(route.method);
  const idempotent = Boolean(guards.idempotency) && IDEMPOTENT_CAPABLE_METHODS.has(route.method);

  const beforeKey: ErrorCode[] = ['INTERNAL_ERROR'];
  if (rateLimited) beforeKey.push('RATE_LIMITED');
  // Authentication loads the session from PostgreSQL on every request.
  if (route.auth !== 'none') beforeKey.push('UNAUTHORIZED', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'SERVICE_UNAVAILABLE');
  if (route.auth === 'admin') beforeKey.push('FORBIDDEN');
  if (route.auth === 'admin' && guards.adminSecondFactor) beforeKey.push('MFA_ENROLMENT_REQUIRED');
  if (readsBody) beforeKey.push('INVALID_INPUT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  // A malformed key is 400; without Redis the key cannot be checked, which is 503.
  if (idempotent) beforeKey.push('INVALID_INPUT', 'SERVICE_UNAVAILABLE', 'IDEMPOTENCY_IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED');

  const afterKey: ErrorCode[] = [...(route.errors ?? [])];
  if (readsBody || route.params || route.query) afterKey.push('INVALID_INPUT');
  if (!route.outageProof) afterKey.push('SERVICE_UNAVAILABLE');

  const replayable = idempotent
    ? afterKey.map((code) => ERROR_CATALOG[code].httpStatus).filter((status) => status >= 400 && status < 500 && status !== 429)
    : [];
  return {
    errors: [...new Set([...beforeKey, ...afterKey])],
    rateLimits,
    rateLimited,
    idempotent,
    replayableErrorStatuses: [...new Set(replayable)].sort((a, b) => a - b),
  };
}
