import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorCode } from '@pandora/errors';
import type { z, ZodObject, ZodType } from 'zod';
import type { RateLimitSpec } from './request-guards';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** `none`: anyone; `user`: a valid access token; `admin`: a valid access token with role admin. */
export type AuthRequirement = 'none' | 'user' | 'admin';

/** The client side of a request, as use cases record it. */
export interface ClientContext {
  requestId: string;
  ipAddress: string | null;
  userAgent: string | null;
  traceparent: string | null;
}

export interface RouteContext<Principal, Body, Query, Params> {
  body: Body;
  query: Query;
  params: Params;
  /** Set on every route with auth other than 'none'. */
  principal: Principal;
  client: ClientContext;
  headers: IncomingHttpHeaders;
}

/** What a handler returns; the kit writes it (handlers never touch `res`). */
export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** For non-JSON answers (metrics, HTML): the exact bytes and their content type. */
  raw?: { contentType: string; body: string | Buffer };
}

export interface ResponseSpec {
  description: string;
  schema?: ZodType;
  contentType?: string;
}

type Output<T> = T extends ZodType ? z.output<T> : undefined;

export interface RouteSpec<Principal, B extends ZodType | undefined, Q extends ZodObject | undefined, P extends ZodObject | undefined> {
  method: HttpMethod;
  /** Express path pattern, absolute (`/api/v1/users/me/sessions/:id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: AuthRequirement;
  body?: B;
  /** The body may be absent altogether (it is then validated as `{}`). */
  bodyOptional?: boolean;
  query?: Q;
  params?: P;
  responses: Record<number, ResponseSpec>;
  /** Error codes this route can answer with (documented in OpenAPI). */
  errors?: ErrorCode[];
  /** Not listed in the OpenAPI document (e.g. the Swagger UI's own asset routes). */
  hidden?: boolean;
  /**
   * The handler cannot fail because PostgreSQL or Redis is down: it needs neither (JWKS, /health)
   * or reports their state itself (/ready). Without it the OpenAPI document lists 503.
   */
  outageProof?: boolean;
  /**
   * Its success answer holds credentials (tokens): never stored for an Idempotency-Key replay. A
   * retry with the same key runs again, so a refresh token presented twice always meets reuse
   * detection and a replay can never hand out a live token pair (docs/abuse-controls.md#idempotency-keys).
   * The key still refuses a concurrent duplicate (409) while the first request runs.
   */
  issuesCredentials?: boolean;
  /** A limit of this route, counted after validation (e.g. logins per IP and email). */
  rateLimit?: (input: { body: Output<B>; client: ClientContext }) => (RateLimitSpec & { subject: string }) | null;
  handler: (context: RouteContext<Principal, Output<B>, Output<Q>, Output<P>>) => Promise<RouteResult> | RouteResult;
}

/** A route with its types erased, as routers and the OpenAPI generator handle it. */
export type RouteDefinition<Principal = unknown> = RouteSpec<Principal, ZodType | undefined, ZodObject | undefined, ZodObject | undefined>;

/**
 * `const route = routeBuilder<Principal>()` then `route({...})`: the handler's body/query/params
 * are typed from the zod schemas that also validate the request and document it.
 */
export function routeBuilder<Principal>() {
  return <
    B extends ZodType | undefined = undefined,
    Q extends ZodObject | undefined = undefined,
    P extends ZodObject | undefined = undefined,
  >(
    spec: RouteSpec<Principal, B, Q, P>,
  ): RouteDefinition<Principal> => spec as unknown as RouteDefinition<Principal>;
}
