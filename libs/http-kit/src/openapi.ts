import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ERROR_CATALOG, ERROR_CODES, type ErrorCode } from '@pandora/errors';
import { z } from 'zod';
import type { RouteDefinition } from './route-definition';

// The generator calls `.openapi()` on parameter schemas, so zod must carry it (prototype patch,
// once, here). Schema names and docs come from zod's own `.meta()` everywhere else.
extendZodWithOpenApi(z);

/** The SPEC §2 error envelope, documented once and referenced by every error response. */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional().meta({ description: 'Only for INVALID_INPUT.' }),
      request_id: z.string(),
    }),
  })
  .meta({ id: 'ErrorEnvelope', description: 'Every 4xx/5xx response has this shape.' });

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function errorResponses(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set<ErrorCode>([...codes, 'INTERNAL_ERROR'])) {
    const status = ERROR_CATALOG[code].httpStatus;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus.entries()].map(([status, statusCodes]) => [
      status,
      {
        description: statusCodes.map((code) => `\`${code}\`: ${ERROR_CATALOG[code].message}`).join(' '),
        content: { 'application/json': { schema: errorEnvelopeSchema } },
      },
    ]),
  );
}

/** An OpenAPI 3.1 document generated from the same route definitions and zod schemas that serve requests. */
export function buildOpenApiDocument(routes: RouteDefinition<unknown>[], info: OpenApiInfo) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from /auth/login, /auth/register or /auth/refresh.',
  });

  for (const route of routes) {
    if (route.hidden) continue;
    const successResponses = Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => [
        status,
        response.schema
          ? { description: response.description, content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
          : { description: response.description },
      ]),
    );
    const errorCodes: ErrorCode[] = [...(route.errors ?? [])];
    if (route.auth !== 'none') errorCodes.push('UNAUTHORIZED', 'INVALID_TOKEN', 'TOKEN_EXPIRED');
    if (route.auth === 'admin') errorCodes.push('FORBIDDEN');
    if (route.body || route.query || route.params) errorCodes.push('INVALID_INPUT');
    if (route.body) errorCodes.push('PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');

    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      ...(route.auth !== 'none' ? { security: [{ bearerAuth: [] }] } : {}),
      request: {
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.body
          ? { body: { required: route.bodyOptional !== true, content: { 'application/json': { schema: route.body } } } }
          : {}),
      },
      responses: { ...successResponses, ...errorResponses(errorCodes) },
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
  });
}
