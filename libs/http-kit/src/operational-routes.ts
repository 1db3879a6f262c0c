import fs from 'node:fs';
import path from 'node:path';
import type { AppMetrics } from '@pandora/observability';
import { z } from 'zod';
import { routeBuilder, type RouteDefinition } from './route-definition';

/** `read_only`: the dependency answers but refuses writes (Redis: the node written to is a replica, mid-failover). */
export type CheckResult = 'up' | 'down' | 'read_only';

export interface ReadinessProbe {
  checks: Record<string, () => Promise<CheckResult>>;
  /** Readiness turns 503 as soon as shutdown starts, before the listener stops accepting. */
  isShuttingDown: () => boolean;
}

export const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
export const readinessSchema = z
  .object({ status: z.enum(['ready', 'not_ready', 'shutting_down']), checks: z.record(z.string(), z.enum(['up', 'down', 'read_only'])) })
  .meta({ id: 'Readiness' });

/**
 * Runs every readiness check concurrently and reports them all. Ready when no shutdown began and
 * every check in `required` (default: all of them) is up. Kubernetes probes user-api with
 * `?require=database`: Redis being down must not take every replica out of service, because the
 * API keeps serving without it (docs/abuse-controls.md#when-redis-is-down) — while people and alerts still see `redis: down`.
 */
export async function readiness(probe: ReadinessProbe, required: readonly string[] = Object.keys(probe.checks)) {
  const entries = await Promise.all(
    Object.entries(probe.checks).map(async ([name, check]) => [name, await check().catch(() => 'down' as const)] as const),
  );
  const checks = Object.fromEntries(entries) as Record<string, CheckResult>;
  const status = probe.isShuttingDown() ? 'shutting_down' : required.every((name) => checks[name] === 'up') ? 'ready' : 'not_ready';
  return { status, checks } as const;
}

export const SWAGGER_UI_DIST = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** Swagger UI's own icon: browsers ask every page's server for /favicon.ico, and a 404 there is noise. */
let favicon: Buffer | undefined;
const faviconBytes = () => (favicon ??= fs.readFileSync(path.join(SWAGGER_UI_DIST, 'favicon-32x32.png')));

const SWAGGER_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API documentation</title>
  <link rel="icon" type="image/png" href="/favicon.ico">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-initializer.js"></script>
</body>
</html>`;

const SWAGGER_INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
};`;

/** /health, /ready, /metrics, /openapi.json, /docs (and its /favicon.ico): the same on every listener. */
export function operationalRoutes(options: {
  probe: ReadinessProbe;
  metrics?: AppMetrics;
  openApiDocument: () => unknown;
  swaggerCsp: string;
}): RouteDefinition<unknown>[] {
  const route = routeBuilder<unknown>();
  const routes: RouteDefinition<unknown>[] = [
    route({
      method: 'get',
      path: '/health',
      operationId: 'health',
      summary: 'Liveness: the process is up (no dependency checks)',
      tags: ['operations'],
      auth: 'none',
      outageProof: true,
      responses: { 200: { description: 'Alive.', schema: healthSchema } },
      handler: () => ({ status: 200, body: { status: 'ok' } }),
    }),
    route({
      method: 'get',
      path: '/ready',
      operationId: 'ready',
      summary: 'Readiness: dependencies reachable, not shutting down',
      description: '`require` (comma-separated check names) limits which checks decide the status; all are reported.',
      tags: ['operations'],
      auth: 'none',
      outageProof: true,
      query: z.strictObject({
        require: z
          .string()
          .optional()
          .transform((value) =>
            value
              ?.split(',')
              .map((name) => name.trim())
              .filter(Boolean),
          )
          .refine((names) => !names || names.every((name) => name in options.probe.checks), {
            message: `must name checks among: ${Object.keys(options.probe.checks).join(', ')}`,
          }),
      }),
      responses: {
        200: { description: 'Ready to serve.', schema: readinessSchema },
        503: { description: 'A required dependency is down or the process is stopping.', schema: readinessSchema },
      },
      handler: async ({ query }) => {
        const result = await readiness(options.probe, query.require);
        return { status: result.status === 'ready' ? 200 : 503, body: result };
      },
    }),
    route({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This OpenAPI document',
      tags: ['operations'],
      auth: 'none',
      outageProof: true,
      responses: { 200: { description: 'OpenAPI 3.1 document.' } },
      handler: () => ({ status: 200, body: options.openApiDocument() }),
    }),
    route({
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      summary: 'Swagger UI for this document',
      tags: ['operations'],
      auth: 'none',
      outageProof: true,
      responses: { 200: { description: 'HTML page.', contentType: 'text/html' } },
      handler: () => ({
        status: 200,
        headers: { 'Content-Security-Policy': options.swaggerCsp },
        raw: { contentType: 'text/html; charset=utf-8', body: SWAGGER_HTML },
      }),
    }),
    route({
      method: 'get',
      path: '/favicon.ico',
      operationId: 'favicon',
      summary: 'The icon browsers show for these pages',
      tags: ['operations'],
      auth: 'none',
      outageProof: true,
      hidden: true,
      responses: { 200: { description: 'PNG image.', contentType: 'image/png' } },
      handler: () => ({ status: 200, raw: { contentType: 'image/png', body: faviconBytes() } }),
    }),
    route({
      method: 'get',
      path: '/docs/swagger-initializer.js',
      operationId: 'docsInitializer',
      summary: 'Swagger UI start-up script',
      tags: ['operations'],
      auth: 'none',
      outageProof: true,
      hidden: true,
      responses: { 200: { description: 'JavaScript.' } },
      handler: () => ({ status: 200, raw: { contentType: 'application/javascript; charset=utf-8', body: SWAGGER_INITIALIZER } }),
    }),
  ];
  if (options.metrics) {
    const metrics = options.metrics;
    routes.push(
      route({
        method: 'get',
        path: '/metrics',
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        tags: ['operations'],
        auth: 'none',
        outageProof: true,
        responses: { 200: { description: 'Prometheus text exposition format.', contentType: 'text/plain' } },
        handler: async () => {
          const { contentType, body } = await metrics.exposition();
          return { status: 200, raw: { contentType, body } };
        },
      }),
    );
  }
  return routes;
}
