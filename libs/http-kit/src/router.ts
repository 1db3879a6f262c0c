import { AppError, toHttpError, type FieldIssue } from '@pandora/errors';
import { annotateLogContext, type Logger } from '@pandora/observability';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { clientIp, traceparentFrom, userAgent } from './client-context';
import { createJsonBodyReader } from './json-body';
import {
  enforceRateLimit,
  idempotencyKeyFrom,
  requestFingerprintSource,
  type IdempotencyStore,
  type RouterGuards,
  type StoredResponse,
} from './request-guards';
import { BODY_METHODS, IDEMPOTENT_CAPABLE_METHODS } from './route-answers';
import type { ClientContext, RouteDefinition, RouteResult } from './route-definition';
import { parseInput } from './validation';

export interface Authenticator<Principal> {
  /** Verifies a bearer token; throws AppError (INVALID_TOKEN, TOKEN_EXPIRED…) when it is not good. */
  authenticate(token: string): Promise<Principal>;
  /** The principal's id, role and authentication level (1 or 2), for logs and the admin checks. */
  describe(principal: Principal): { userId: string; role: string; aal?: number };
}

export interface RouterOptions<Principal> {
  bodyLimitBytes: number;
  authenticator?: Authenticator<Principal>;
  guards?: RouterGuards;
  /** Where a failure to record an idempotent answer is reported (the client still gets the answer). */
  logger?: Logger;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;
const EMPTY_BODY = z.strictObject({});
/** What a route without params or query reads: nothing, and no issues. */
const NO_INPUT: { value: undefined; details?: FieldIssue[] } = { value: undefined };

/** Extracts the bearer token; a missing or malformed header is 401 UNAUTHORIZED. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw new AppError('UNAUTHORIZED', 'An Authorization: Bearer <token> header is required.');
  const match = BEARER.exec(header.trim());
  if (!match) throw new AppError('UNAUTHORIZED', 'The Authorization header must be "Bearer <token>".');
  return match[1] as string;
}

function send(res: Response, result: RouteResult): void {
  if (result.headers) for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
  res.status(result.status);
  if (result.raw) {
    res.type(result.raw.contentType).send(result.raw.body);
  } else if (result.body === undefined || result.status === 204) {
    res.end();
  } else {
    res.json(result.body);
  }
}

function storable(result: RouteResult) {
  return { status: result.status, headers: result.headers ?? {}, body: result.body ?? null };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A replay is a new request with its own X-Request-ID, and docs/api.md wants the envelope's request_id
 * to be that id, not the first request's (whose logs are about a different exchange). Success bodies
 * carry no request id of their own, so only the error envelope changes.
 */
function replayOf(stored: StoredResponse, requestId: string): RouteResult {
  const { body } = stored;
  const replayedBody = isRecord(body) && isRecord(body.error) ? { ...body, error: { ...body.error, request_id: requestId } } : body;
  return { status: stored.status, headers: { ...stored.headers, 'Idempotent-Replayed': 'true' }, body: replayedBody ?? undefined };
}

/**
 * Mounts route definitions on an express router. Per request:
 *   per-IP limit → authenticate → per-user limit → admin check (role, then second factor) → read body → Idempotency-Key
 *   → validate params/query/body → route limit (e.g. per IP+email) → handler → record the answer.
 * Every failure is an AppError for the error handler.
 */
export function buildRouter<Principal>(routes: RouteDefinition<Principal>[], options: RouterOptions<Principal>): Router {
  const router = express.Router({ caseSensitive: true, strict: false });
  const readBody = createJsonBodyReader(options.bodyLimitBytes);
  const guards = options.guards ?? {};

  for (const route of routes) {
    const bodySchema = route.body ?? (BODY_METHODS.has(route.method) ? EMPTY_BODY : undefined);
    const bodyOptional = route.body === undefined || route.bodyOptional === true;

    router[route.method](route.path, async (req: Request, res: Response, next: NextFunction) => {
      let idempotency: { handle: unknown } | undefined;
      try {
        res.locals.routePattern = route.path;
        const client: ClientContext = {
          requestId: res.locals.requestId as string,
          ipAddress: clientIp(req),
          userAgent: userAgent(req),
          traceparent: traceparentFrom(req),
        };
        if (guards.limiter && guards.perIp) {
          await enforceRateLimit(guards.limiter, { ...guards.perIp, subject: client.ipAddress ?? 'unknown' }, res);
        }

        let principal: Principal | undefined;
        let userId: string | undefined;
        if (route.auth !== 'none') {
          if (!options.authenticator) throw new Error(`Route ${route.operationId} needs an authenticator`);
          principal = await options.authenticator.authenticate(bearerToken(req.headers.authorization));
          const described = options.authenticator.describe(principal);
          userId = described.userId;
          res.locals.userId = userId;
          annotateLogContext({ user_id: userId });
          if (guards.limiter && guards.perUser) await enforceRateLimit(guards.limiter, { ...guards.perUser, subject: userId }, res);
          if (route.auth === 'admin' && described.role !== 'admin')
            throw new AppError('FORBIDDEN', 'This route is for administrators only.');
          if (route.auth === 'admin' && guards.adminSecondFactor && described.aal !== 2) throw new AppError('MFA_ENROLMENT_REQUIRED');
        }

        const raw = bodySchema ? await readBody(req, res) : undefined;

        const key =
          guards.idempotency && IDEMPOTENT_CAPABLE_METHODS.has(route.method) ? idempotencyKeyFrom(req.headers['idempotency-key']) : null;
        if (key !== null && guards.idempotency) {
          const scope = `${userId ? `user:${userId}` : `ip:${client.ipAddress ?? 'unknown'}`}|${route.method}|${route.path}`;
          const begun = await guards.idempotency
            .begin({ scope, key, request: requestFingerprintSource(req.method, req.originalUrl, raw) })
            .catch((error: unknown) => {
              // Without Redis we cannot know whether this key already ran: refuse rather than risk a double execution.
              throw new AppError('SERVICE_UNAVAILABLE', 'Idempotency-Key requests cannot be served right now; retry shortly.', {
                cause: error,
              });
            });
          if (begun.kind === 'replay') {
            send(res, replayOf(begun.response, client.requestId));
            return;
          }
          if (begun.kind === 'mismatch') throw new AppError('IDEMPOTENCY_KEY_REUSED');
          if (begun.kind === 'in_progress') throw new AppError('IDEMPOTENCY_IN_PROGRESS');
          idempotency = { handle: begun.handle };
        }

        const details: FieldIssue[] = [];
        const params = route.params ? parseInput(route.params, req.params, 'params') : NO_INPUT;
        details.push(...(params.details ?? []));
        const query = route.query ? parseInput(route.query, { ...req.query }, 'query') : NO_INPUT;
        details.push(...(query.details ?? []));
        let body: { value?: unknown; details?: FieldIssue[] } = { value: undefined };
        if (bodySchema) {
          if (raw === undefined && !bodyOptional) {
            details.push({ field: 'body', message: 'A JSON request body is required.' });
          } else {
            body = parseInput(bodySchema, raw ?? {}, 'body');
            details.push(...(body.details ?? []));
          }
        }
        if (details.length > 0) throw AppError.invalidInput(details);

        const routeLimit = guards.limiter && route.rateLimit ? route.rateLimit({ body: body.value, client }) : null;
        if (routeLimit && guards.limiter) await enforceRateLimit(guards.limiter, routeLimit, res);

        const result = await route.handler({
          body: body.value,
          query: query.value,
          params: params.value,
          principal: principal as Principal,
          client,
          headers: req.headers,
        });
        if (idempotency && guards.idempotency) {
          const finished = idempotency;
          idempotency = undefined;
          const keep = !(route.issuesCredentials && result.status < 300);
          await recordIdempotentAnswer(guards.idempotency, finished.handle, result, client.requestId, options.logger, keep);
        }
        send(res, result);
      } catch (error) {
        if (idempotency && guards.idempotency)
          await settleFailedIdempotentRequest(guards.idempotency, idempotency.handle, error, res, options.logger);
        next(error);
      }
    });
  }
  return router;
}

/**
 * The handler has run (and may have committed): its answer goes to the client whatever Redis does
 * now. `keep: false` (a success holding credentials) frees the key instead of storing the answer. Turning a done change into a 5xx would invite a retry of something that happened. If the
 * record cannot be updated it keeps its in-progress marker, so a retry gets 409 rather than a second
 * execution, until the record expires.
 */
async function recordIdempotentAnswer(
  store: IdempotencyStore,
  handle: unknown,
  result: RouteResult,
  requestId: string,
  logger?: Logger,
  keep = true,
): Promise<void> {
  const retryable = result.status >= 500 || result.status === 429;
  try {
    if (retryable || !keep) await store.abandon(handle);
    else await store.complete(handle, storable(result));
  } catch (error) {
    // The body may hold tokens: only its status is logged.
    logger?.warn('could not record the idempotent answer; the key stays in progress until it expires', {
      request_id: requestId,
      status: result.status,
      operation: retryable ? 'abandon' : 'complete',
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** A 4xx answer (except 429) is the request's answer and is kept; anything else may be retried. */
async function settleFailedIdempotentRequest(
  store: IdempotencyStore,
  handle: unknown,
  error: unknown,
  res: Response,
  logger?: Logger,
): Promise<void> {
  const requestId = res.locals.requestId as string;
  // Errors other than AppError (a lost database…) are translated to 5xx later: retryable either way.
  const answer = error instanceof AppError ? toHttpError(error, requestId) : { status: 500, body: undefined };
  await recordIdempotentAnswer(store, handle, answer, requestId, logger);
}
