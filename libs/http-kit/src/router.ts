import { AppError, type FieldIssue } from '@pandora/errors';
import { annotateLogContext } from '@pandora/observability';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { clientIp, traceparentFrom, userAgent } from './client-context';
import { createJsonBodyReader } from './json-body';
import type { RouteDefinition, RouteResult } from './route-definition';
import { parseInput } from './validation';

export interface Authenticator<Principal> {
  /** Verifies a bearer token; throws AppError (INVALID_TOKEN, TOKEN_EXPIRED…) when it is not good. */
  authenticate(token: string): Promise<Principal>;
  /** The principal's id and role, for logs and the admin check. */
  describe(principal: Principal): { userId: string; role: string };
}

export interface RouterOptions<Principal> {
  bodyLimitBytes: number;
  authenticator?: Authenticator<Principal>;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;
const EMPTY_BODY = z.strictObject({});
const WRITE_METHODS = new Set(['post', 'put', 'patch']);

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

/**
 * Mounts route definitions on an express router. Per request: authenticate (and the admin check)
 * first, then read the body, then validate params, query and body with the route's zod schemas,
 * then call the handler. Every failure is an AppError for the error handler.
 */
export function buildRouter<Principal>(routes: RouteDefinition<Principal>[], options: RouterOptions<Principal>): Router {
  const router = express.Router({ caseSensitive: true, strict: false });
  const readBody = createJsonBodyReader(options.bodyLimitBytes);

  for (const route of routes) {
    const bodySchema = route.body ?? (WRITE_METHODS.has(route.method) ? EMPTY_BODY : undefined);
    const bodyOptional = route.body === undefined || route.bodyOptional === true;

    router[route.method](route.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        res.locals.routePattern = route.path;
        let principal: Principal | undefined;
        if (route.auth !== 'none') {
          if (!options.authenticator) throw new Error(`Route ${route.operationId} needs an authenticator`);
          principal = await options.authenticator.authenticate(bearerToken(req.headers.authorization));
          const { userId, role } = options.authenticator.describe(principal);
          res.locals.userId = userId;
          annotateLogContext({ user_id: userId });
          if (route.auth === 'admin' && role !== 'admin') throw new AppError('FORBIDDEN', 'This route is for administrators only.');
        }

        const details: FieldIssue[] = [];
        const params = route.params ? parseInput(route.params, req.params, 'params') : { value: undefined };
        details.push(...(params.details ?? []));
        const query = route.query ? parseInput(route.query, { ...req.query }, 'query') : { value: undefined };
        details.push(...(query.details ?? []));
        let body: { value?: unknown; details?: FieldIssue[] } = { value: undefined };
        if (bodySchema) {
          const raw = await readBody(req, res);
          if (raw === undefined && !bodyOptional) {
            details.push({ field: 'body', message: 'A JSON request body is required.' });
          } else {
            body = parseInput(bodySchema, raw ?? {}, 'body');
            details.push(...(body.details ?? []));
          }
        }
        if (details.length > 0) throw AppError.invalidInput(details);

        const result = await route.handler({
          body: body.value,
          query: query.value,
          params: params.value,
          principal: principal as Principal,
          client: {
            requestId: res.locals.requestId as string,
            ipAddress: clientIp(req),
            userAgent: userAgent(req),
            traceparent: traceparentFrom(req),
          },
          headers: req.headers,
        });
        send(res, result);
      } catch (error) {
        next(error);
      }
    });
  }
  return router;
}
