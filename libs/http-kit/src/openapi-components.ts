import { extendZodWithOpenApi, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ERROR_CATALOG, ERROR_CODES, type ErrorCode } from '@pandora/errors';
import { z } from 'zod';

// The generator calls `.openapi()` on parameter schemas, so zod must carry it (prototype patch,
// once, here). Schema names and docs come from zod's own `.meta()` everywhere else.
extendZodWithOpenApi(z);

/** The error envelope (docs/api.md#the-error-envelope), documented once; each error response narrows `code` to its own codes. */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'Only for INVALID_INPUT.' }),
      request_id: z.string(),
    }),
  })
  .meta({ id: 'ErrorEnvelope', description: 'Every 4xx/5xx response has this shape.' });

/** Response headers, each defined once under components/headers and referenced by name. */
export const RESPONSE_HEADERS = {
  'X-Request-ID': {
    description:
      "The id of this request: the client's X-Request-ID when it is at most 128 characters of [A-Za-z0-9._-], else a generated UUID. Also in the error envelope and every log line.",
    schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' },
  },
  'RateLimit-Limit': {
    description:
      'Budget of the most restrictive rate limit this request was counted against. Absent when no limit was counted (or Redis could not decide).',
    schema: { type: 'integer', minimum: 1 },
  },
  'RateLimit-Remaining': {
    description: "Requests left in that limit's current window.",
    schema: { type: 'integer', minimum: 0 },
  },
  'RateLimit-Reset': {
    description: 'Seconds until that limit frees a slot.',
    schema: { type: 'integer', minimum: 1 },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 1 },
  },
  'Idempotent-Replayed': {
    description: 'Present when this is the stored answer of an earlier request with the same Idempotency-Key (no second side effect).',
    schema: { type: 'string', enum: ['true'] as string[] },
  },
} as const;

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

export function headerRef(name: ResponseHeaderName) {
  return { $ref: `#/components/headers/${name}` };
}

export const IDEMPOTENCY_KEY_PARAMETER = 'IdempotencyKey';

export const idempotencyKeyParameterRef = { $ref: `#/components/parameters/${IDEMPOTENCY_KEY_PARAMETER}` };

const REQUEST_ID_EXAMPLE = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** Registers the envelope, the headers, the Idempotency-Key parameter and bearer security once per document. */
export function registerSharedComponents(registry: OpenAPIRegistry): void {
  registry.register('ErrorEnvelope', errorEnvelopeSchema);
  for (const [name, header] of Object.entries(RESPONSE_HEADERS)) {
    registry.registerComponent('headers', name, { description: header.description, schema: { ...header.schema } });
  }
  registry.registerComponent('parameters', IDEMPOTENCY_KEY_PARAMETER, {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes this request safe to retry (IETF Idempotency-Key draft). The first answer (2xx, or 4xx other than 429) is kept (24 h by default) for this caller, method and route: a retry with the same key and the same request gets it again with `Idempotent-Replayed: true`; the same key with a different request is 422 IDEMPOTENCY_KEY_REUSED; while the first is still running, 409 IDEMPOTENCY_IN_PROGRESS.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
  });
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from /auth/login, /auth/register or /auth/refresh.',
  });
}

/** The envelope with `code` narrowed to what this response can carry, and one example per code. */
export function errorContent(codes: ErrorCode[]) {
  return {
    'application/json': {
      schema: {
        allOf: [
          { $ref: '#/components/schemas/ErrorEnvelope' },
          {
            type: 'object' as const,
            properties: { error: { type: 'object' as const, properties: { code: { type: 'string' as const, enum: codes } } } },
          },
        ],
      },
      examples: Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/examples/${code}` }])),
    },
  };
}

/** One example envelope per code that some response of the document can carry. */
export function registerErrorExamples(registry: OpenAPIRegistry, codes: Iterable<ErrorCode>): void {
  for (const code of codes) {
    registry.registerComponent('examples', code, {
      summary: ERROR_CATALOG[code].message,
      value: {
        error: {
          code,
          message: ERROR_CATALOG[code].message,
          ...(code === 'INVALID_INPUT' ? { details: [{ field: 'field_name', message: 'What is wrong with it.' }] } : {}),
          request_id: REQUEST_ID_EXAMPLE,
        },
      },
    });
  }
}
