import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ERROR_CATALOG, type ErrorCode } from '@pandora/errors';
import {
  errorContent,
  headerRef,
  idempotencyKeyParameterRef,
  registerErrorExamples,
  registerSharedComponents,
  type ResponseHeaderName,
} from './openapi-components';
import type { RateLimitSpec, RouterGuards } from './request-guards';
import type { ResponseSpec, RouteDefinition } from './route-definition';
import { routeAnswers, type RouteAnswers } from './route-answers';

export { errorEnvelopeSchema } from './openapi-components';

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

/** One express router of a listener: its routes and the guards it was built with (see buildRouter). */
export interface DocumentedRouter {
  routes: RouteDefinition<unknown>[];
  guards?: RouterGuards;
}

function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function describeWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

function describeLimits(answers: RouteAnswers, guards: RouterGuards): string {
  const budget = (spec: RateLimitSpec) => `${spec.limit} per ${describeWindow(spec.windowMs)}`;
  const limits: string[] = [];
  if (answers.rateLimits.perIp && guards.perIp) limits.push(`per client IP (${budget(guards.perIp)})`);
  if (answers.rateLimits.perUser && guards.perUser) limits.push(`per user (${budget(guards.perUser)})`);
  if (answers.rateLimits.route) limits.push("this route's own limit");
  return limits.length > 0 ? ` Limits counted: ${limits.join(', ')}.` : '';
}

/** The headers a response of this route carries (or may carry), by status. */
function responseHeaders(status: number, answers: RouteAnswers) {
  const names: ResponseHeaderName[] = ['X-Request-ID'];
  if (answers.rateLimited) names.push('RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset');
  if (status === 429) names.push('Retry-After');
  const replayable = status < 300 || answers.replayableErrorStatuses.includes(status);
  if (answers.idempotent && replayable) names.push('Idempotent-Replayed');
  return Object.fromEntries(names.map((name) => [name, headerRef(name)]));
}

function declaredResponse(status: number, response: ResponseSpec, answers: RouteAnswers) {
  return {
    description: response.description,
    headers: responseHeaders(status, answers),
    ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } } : {}),
  };
}

function errorResponses(route: RouteDefinition<unknown>, answers: RouteAnswers, guards: RouterGuards) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of answers.errors) {
    const status = ERROR_CATALOG[code].httpStatus;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => {
        if (route.responses[status]) {
          throw new Error(`${route.operationId}: declares a ${status} response but can also answer ${codes.join(', ')} with that status`);
        }
        const description = codes.map((code) => `\`${code}\`: ${ERROR_CATALOG[code].message}`).join(' ');
        return [
          status,
          {
            description: status === 429 ? `${description}${describeLimits(answers, guards)}` : description,
            headers: responseHeaders(status, answers),
            content: errorContent(codes),
          },
        ];
      }),
  );
}

/**
 * An OpenAPI 3.1 document generated from the same route definitions and zod schemas that serve
 * requests. Errors, rate-limit and idempotency headers are derived from each route and the guards
 * of the router that mounts it (routeAnswers), never listed by hand.
 */
export function buildOpenApiDocument(routers: DocumentedRouter[], info: OpenApiInfo) {
  const registry = new OpenAPIRegistry();
  registerSharedComponents(registry);
  const documentedCodes = new Set<ErrorCode>();

  for (const { routes, guards = {} } of routers) {
    for (const route of routes) {
      if (route.hidden) continue;
      const answers = routeAnswers(route, guards);
      for (const code of answers.errors) documentedCodes.add(code);
      const successResponses = Object.fromEntries(
        Object.entries(route.responses).map(([status, response]) => [status, declaredResponse(Number(status), response, answers)]),
      );
      registry.registerPath({
        method: route.method,
        path: openApiPath(route.path),
        operationId: route.operationId,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        tags: route.tags,
        ...(route.auth !== 'none' ? { security: [{ bearerAuth: [] }] } : {}),
        ...(answers.idempotent ? { parameters: [idempotencyKeyParameterRef] } : {}),
        request: {
          ...(route.params ? { params: route.params } : {}),
          ...(route.query ? { query: route.query } : {}),
          ...(route.body
            ? { body: { required: route.bodyOptional !== true, content: { 'application/json': { schema: route.body } } } }
            : {}),
        },
        responses: { ...successResponses, ...errorResponses(route, answers, guards) },
      });
    }
  }
  registerErrorExamples(registry, [...documentedCodes].sort());

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
  });
}
