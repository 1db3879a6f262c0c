import { randomUUID } from 'node:crypto';
import { ERROR_CATALOG, ERROR_CODES, type ErrorCode } from '@pandora/errors';
import { LINK_PAGE_ASSETS } from '@pandora/http-kit';
import type request from 'supertest';
import { MAIL_LINK_PAGES } from '../src/http/link-pages';
import { servedEndpoints } from './support/express-endpoints';
import { bearer, createAdmin, registerUser, sharedSigningKeys, type AdminSession, type RegisteredUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

/**
 * The OpenAPI documents against the listeners that serve them: every route express really serves
 * is documented and nothing else; and what each operation documents about rate limits,
 * Idempotency-Key and 503 matches how the listener answers probes.
 */
interface ResponseObject {
  headers?: Record<string, { $ref: string }>;
  content?: Record<
    string,
    {
      schema?: { allOf?: Array<{ $ref?: string; properties?: { error: { properties: { code: { enum: ErrorCode[] } } } } }> };
      examples?: Record<string, { $ref: string }>;
    }
  >;
}
interface OperationObject {
  security?: unknown;
  parameters?: Array<{ $ref?: string }>;
  requestBody?: unknown;
  responses: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: {
    parameters: Record<string, { name: string; in: string; required: boolean; schema: { maxLength: number } }>;
    headers: Record<string, unknown>;
    examples: Record<string, { value: { error: { code: string } } }>;
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, unknown>;
  };
}
interface Operation {
  /** `POST /api/v1/auth/login` */
  name: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  spec: OperationObject;
}

const LISTENERS = ['public', 'admin'] as const;
type Listener = (typeof LISTENERS)[number];

/** Served by every listener (/metrics by the private admin one only), documented, never rate limited, and answered without a dependency failing them. */
const INFRASTRUCTURE = ['GET /health', 'GET /ready', 'GET /metrics', 'GET /openapi.json', 'GET /docs'];
const infrastructureOf = (listener: Listener) =>
  listener === 'admin' ? INFRASTRUCTURE : INFRASTRUCTURE.filter((name) => name !== 'GET /metrics');
/** Served but deliberately not documented: the Swagger UI's own assets, the browser icon, and on the admin port the admin console (a web page, not API). */
const UNDOCUMENTED_ASSETS = ['GET /favicon.ico', 'GET /docs/swagger-initializer.js', 'USE /docs'];
const ADMIN_CONSOLE = ['GET /console', 'GET /console/*path', 'USE /console'];
/** The pages the links in mails open, and their script and style: for people, not API operations. */
const LINK_PAGES = [
  ...MAIL_LINK_PAGES.map((page) => `GET ${page.path}`),
  `GET ${LINK_PAGE_ASSETS.script}`,
  `GET ${LINK_PAGE_ASSETS.style}`,
];
/** Public key material held in memory: no outage can fail it. */
const ANSWERED_FROM_MEMORY = [...INFRASTRUCTURE, 'GET /.well-known/jwks.json'];
const MUTATING = new Set(['post', 'put', 'patch', 'delete']);
const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];

const keys = sharedSigningKeys();
let t: TestUserApi;
let user: RegisteredUser;
let admin: AdminSession;
const documents = {} as Record<Listener, OpenApiDocument>;
beforeAll(async () => {
  t = await startTestUserApi({
    env: {
      JWT_SIGNING_KEYS: keys,
      // Switched on, with budgets no probe here can spend, so the documents describe the limits.
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS_PER_WINDOW: '100000',
      RATE_LIMIT_USER_REQUESTS_PER_WINDOW: '100000',
      RATE_LIMIT_LOGIN_REQUESTS: '10000',
      RATE_LIMIT_REGISTER_REQUESTS: '10000',
    },
  });
  user = await registerUser(t.http());
  admin = await createAdmin(t);
  for (const listener of LISTENERS) documents[listener] = (await agentOf(t, listener).get('/openapi.json')).body;
});
afterAll(() => t.stop());

function agentOf(instance: TestUserApi, listener: Listener): request.Agent {
  return listener === 'public' ? instance.http() : instance.admin();
}

function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, spec]) => ({
      name: `${method.toUpperCase()} ${path}`,
      method: method as Operation['method'],
      path,
      spec,
    })),
  );
}

function errorCodesOf(response: ResponseObject | undefined): ErrorCode[] {
  return response?.content?.['application/json']?.schema?.allOf?.[1]?.properties?.error.properties.code.enum ?? [];
}

function headersOf(response: ResponseObject): string[] {
  return Object.keys(response.headers ?? {});
}

function successResponses(operation: Operation): ResponseObject[] {
  return Object.entries(operation.spec.responses)
    .filter(([status]) => Number(status) < 300)
    .map(([, response]) => response);
}

function documentsIdempotencyKey(operation: Operation): boolean {
  return (operation.spec.parameters ?? []).some((parameter) => parameter.$ref === '#/components/parameters/IdempotencyKey');
}

function documentsRateLimits(operation: Operation): boolean {
  return errorCodesOf(operation.spec.responses['429']).includes('RATE_LIMITED');
}

function documentsRateLimitHeaders(operation: Operation): boolean {
  return successResponses(operation).every((response) => headersOf(response).includes('RateLimit-Limit'));
}

/** A request to the operation, with every path parameter an unknown id. */
function probe(agent: request.Agent, operation: Operation, options: { token?: string; idempotencyKey?: string; body?: object }) {
  let call = agent[operation.method](operation.path.replace(/\{[^}]+\}/g, randomUUID()));
  if (options.token) call = call.set(bearer(options.token));
  if (options.idempotencyKey !== undefined) call = call.set('Idempotency-Key', options.idempotencyKey);
  if (options.body) call = call.send(options.body);
  return call;
}

function tokenFor(listener: Listener): string {
  return listener === 'public' ? user.accessToken : admin.accessToken;
}

describe('OpenAPI documents', () => {
  it.each(LISTENERS)(
    'the %s document lists exactly the routes the express app serves, apart from the Swagger UI assets and the admin console',
    (listener) => {
      const app = listener === 'public' ? t.api.publicApp.app : t.api.adminApp.app;
      const served = servedEndpoints(app);
      const documented = operationsOf(documents[listener])
        .map((operation) => operation.name)
        .sort();
      const undocumented = listener === 'admin' ? [...UNDOCUMENTED_ASSETS, ...ADMIN_CONSOLE] : [...UNDOCUMENTED_ASSETS, ...LINK_PAGES];
      for (const asset of undocumented) expect(served).toContain(asset);
      for (const infrastructure of infrastructureOf(listener)) expect(documented).toContain(infrastructure);
      expect(served.filter((endpoint) => !undocumented.includes(endpoint))).toEqual(documented);
    },
  );

  it.each(LISTENERS)(
    'every mutating operation of the %s document takes an optional Idempotency-Key and documents 409, 422 and the replay header',
    (listener) => {
      const document = documents[listener];
      expect(document.components.parameters.IdempotencyKey).toMatchObject({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { maxLength: 255 },
      });
      const mutating = operationsOf(document).filter((operation) => MUTATING.has(operation.method));
      expect(mutating.length).toBeGreaterThan(0);
      for (const operation of mutating) {
        expect({ [operation.name]: documentsIdempotencyKey(operation) }).toEqual({ [operation.name]: true });
        expect({ [operation.name]: errorCodesOf(operation.spec.responses['409']) }).toEqual({
          [operation.name]: expect.arrayContaining(['IDEMPOTENCY_IN_PROGRESS']),
        });
        expect({ [operation.name]: errorCodesOf(operation.spec.responses['422']) }).toEqual({
          [operation.name]: expect.arrayContaining(['IDEMPOTENCY_KEY_REUSED']),
        });
        for (const response of successResponses(operation))
          expect({ [operation.name]: headersOf(response) }).toEqual({ [operation.name]: expect.arrayContaining(['Idempotent-Replayed']) });
      }
      for (const operation of operationsOf(document).filter((candidate) => !MUTATING.has(candidate.method))) {
        expect({ [operation.name]: documentsIdempotencyKey(operation) }).toEqual({ [operation.name]: false });
      }
    },
  );

  it.each(LISTENERS)(
    'every response of every %s operation documents X-Request-ID, and every operation that needs a dependency documents 503',
    (listener) => {
      for (const operation of operationsOf(documents[listener])) {
        for (const [status, response] of Object.entries(operation.spec.responses)) {
          expect({ [`${operation.name} ${status}`]: headersOf(response) }).toEqual({
            [`${operation.name} ${status}`]: expect.arrayContaining(['X-Request-ID']),
          });
        }
        if (!ANSWERED_FROM_MEMORY.includes(operation.name)) {
          expect({ [operation.name]: errorCodesOf(operation.spec.responses['503']) }).toEqual({
            [operation.name]: ['SERVICE_UNAVAILABLE'],
          });
        }
      }
    },
  );

  it.each(LISTENERS)('every rate-limited %s operation documents 429 with Retry-After and RateLimit-* on every response', (listener) => {
    const operations = operationsOf(documents[listener]);
    // docs/abuse-controls.md: per IP on every public route; on the private admin port only its login (both steps) is limited (failed logins).
    const expected =
      listener === 'public'
        ? operations.filter((operation) => !INFRASTRUCTURE.includes(operation.name)).map((operation) => operation.name)
        : ['POST /api/v1/admin/auth/login', 'POST /api/v1/admin/auth/mfa/verify'];
    expect(operations.filter(documentsRateLimits).map((operation) => operation.name)).toEqual(expected);
    for (const operation of operations.filter(documentsRateLimits)) {
      expect({ [operation.name]: headersOf(operation.spec.responses['429'] ?? {}) }).toEqual({
        [operation.name]: expect.arrayContaining(['Retry-After']),
      });
      // The admin login's limit counts failed logins (the login throttle), not requests: no RateLimit-* budget to show.
      if (listener === 'admin') continue;
      for (const [status, response] of Object.entries(operation.spec.responses)) {
        expect({ [`${operation.name} ${status}`]: headersOf(response) }).toEqual({
          [`${operation.name} ${status}`]: expect.arrayContaining(RATE_LIMIT_HEADERS),
        });
      }
    }
  });

  it.each(LISTENERS)(
    'every error response of the %s document is the envelope narrowed to codes of its status, each with an example',
    (listener) => {
      const document = documents[listener];
      for (const operation of operationsOf(document)) {
        for (const [status, response] of Object.entries(operation.spec.responses)) {
          const codes = errorCodesOf(response);
          if (codes.length === 0) continue;
          expect(response.content?.['application/json']?.schema?.allOf?.[0]).toEqual({ $ref: '#/components/schemas/ErrorEnvelope' });
          for (const code of codes) {
            expect(ERROR_CODES).toContain(code);
            expect({ [`${operation.name} ${code}`]: ERROR_CATALOG[code].httpStatus }).toEqual({
              [`${operation.name} ${code}`]: Number(status),
            });
            expect(response.content?.['application/json']?.examples?.[code]).toEqual({ $ref: `#/components/examples/${code}` });
            expect(document.components.examples[code]?.value.error.code).toBe(code);
          }
        }
      }
    },
  );

  it('documents request bodies, responses and bearer security from the route definitions', () => {
    const document = documents.public;
    const register = document.paths['/api/v1/auth/register']?.post;
    expect(register?.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/RegisterRequest' } } },
    });
    expect(register?.responses['201']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/AuthResponse' } } },
    });
    expect(errorCodesOf(register?.responses['409'])).toEqual(expect.arrayContaining(['USER_ALREADY_EXISTS', 'IDEMPOTENCY_IN_PROGRESS']));
    expect(errorCodesOf(register?.responses['422'])).toEqual(expect.arrayContaining(['WEAK_PASSWORD', 'IDEMPOTENCY_KEY_REUSED']));
    const me = document.paths['/api/v1/users/me']?.get;
    expect(me?.security).toEqual([{ bearerAuth: [] }]);
    expect(errorCodesOf(me?.responses['401'])).toEqual(['UNAUTHORIZED', 'INVALID_TOKEN', 'TOKEN_EXPIRED']);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.schemas.RegisterRequest).toMatchObject({ additionalProperties: false });
  });

  it.each(LISTENERS)('serves an icon at /favicon.ico on the %s listener, which the docs page links to', async (listener) => {
    const icon = await agentOf(t, listener)
      .get('/favicon.ico')
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toBe('image/png');
    expect((icon.body as Buffer).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect((await agentOf(t, listener).get('/docs')).text).toContain('<link rel="icon" type="image/png" href="/favicon.ico">');
  });

  it('serves Swagger UI at /docs from local assets', async () => {
    const page = await t.http().get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const bundle = await t.http().get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});

describe('what the documents say, checked against the listeners', () => {
  it.each(LISTENERS)('the %s operations whose answers carry RateLimit-* headers are exactly those that document them', async (listener) => {
    const counted: string[] = [];
    for (const operation of operationsOf(documents[listener])) {
      // Well-formed credentials get a login (or its MFA step) past validation to its own limit.
      const credentials = operation.name.endsWith('/mfa/verify')
        ? { mfa_token: 'mfa_probe', code: '123456' }
        : { email: 'probe@example.com', password: 'probe password' };
      const body = operation.spec.requestBody ? credentials : undefined;
      const response = await probe(agentOf(t, listener), operation, { ...(body ? { body } : {}) });
      expect({ [operation.name]: response.headers['x-request-id'] }).toEqual({ [operation.name]: expect.any(String) });
      if (response.headers['ratelimit-limit'] !== undefined) counted.push(operation.name);
    }
    // The private admin port has no request budgets (its login counts failures, without RateLimit-*).
    if (listener === 'public') expect(counted.length).toBeGreaterThan(0);
    expect(counted).toEqual(
      operationsOf(documents[listener])
        .filter(documentsRateLimitHeaders)
        .map((operation) => operation.name),
    );
  });

  it.each(LISTENERS)('the %s operations that check an Idempotency-Key are exactly those that document it', async (listener) => {
    const checked: string[] = [];
    for (const operation of operationsOf(documents[listener])) {
      // Over-long: refused before anything runs, so probing a DELETE changes nothing.
      const response = await probe(agentOf(t, listener), operation, {
        token: tokenFor(listener),
        idempotencyKey: 'k'.repeat(256),
        ...(MUTATING.has(operation.method) && operation.method !== 'delete' ? { body: {} } : {}),
      });
      if (response.status === 400 && response.body.error.details?.some((detail: { field: string }) => detail.field === 'Idempotency-Key')) {
        checked.push(operation.name);
      }
    }
    expect(checked.length).toBeGreaterThan(0);
    expect(checked).toEqual(
      operationsOf(documents[listener])
        .filter(documentsIdempotencyKey)
        .map((operation) => operation.name),
    );
  });

  describe('with PostgreSQL and Redis unreachable', () => {
    let down: TestUserApi;
    beforeAll(async () => {
      down = await startTestUserApi({
        shareWith: t,
        env: {
          JWT_SIGNING_KEYS: keys,
          DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/unreachable',
          REDIS_URL: 'redis://127.0.0.1:1/0',
          RATE_LIMIT_ENABLED: 'true',
        },
      });
    });
    afterAll(() => down.stop());

    it.each(LISTENERS)('the %s operations that answer 503 are exactly those that document it', async (listener) => {
      const unavailable: string[] = [];
      for (const operation of operationsOf(documents[listener])) {
        const response = await probe(agentOf(down, listener), operation, {
          token: tokenFor(listener),
          idempotencyKey: randomUUID(),
          ...(MUTATING.has(operation.method) && operation.method !== 'delete' ? { body: {} } : {}),
        });
        if (response.status === 503) unavailable.push(operation.name);
      }
      expect(unavailable.length).toBeGreaterThan(0);
      expect(unavailable).toEqual(
        operationsOf(documents[listener])
          .filter((operation) => operation.spec.responses['503'])
          .map((operation) => operation.name),
      );
    });
  });
});
