import type { AppMetrics, Logger } from '@pandora/observability';
import cors from 'cors';
import express, { type Express } from 'express';
import { errorHandler, notFoundHandler, type ErrorTranslator } from './error-handler';
import { buildOpenApiDocument, type OpenApiInfo } from './openapi';
import { operationalRoutes, SWAGGER_UI_DIST, type ReadinessProbe } from './operational-routes';
import type { RouteDefinition } from './route-definition';
import { RouteTable } from './route-table';
import type { RouterGuards } from './request-guards';
import { buildRouter, type Authenticator } from './router';
import { requestLifecycle } from './request-lifecycle';
import { securityHeaders, SWAGGER_UI_CSP } from './security-headers';
import { singlePageApp, type SinglePageApp } from './single-page-app';

export interface HttpAppOptions<Principal> {
  logger: Logger;
  /** Where this listener's requests are counted. */
  metrics?: AppMetrics;
  /**
   * Serve `/metrics` on this listener (default: yes). user-api serves it only on its private admin
   * listener: the exposition shows both listeners and security-sensitive outcomes (docs/observability.md#metrics).
   */
  exposeMetrics?: boolean;
  /** express trust-proxy setting from TRUST_PROXY (false: use the socket address only). */
  trustProxy: false | number | string[];
  corsAllowedOrigins: string[];
  bodyLimitBytes: number;
  hsts: boolean;
  routes: RouteDefinition<Principal>[];
  authenticator?: Authenticator<Principal>;
  translateError?: ErrorTranslator;
  probe: ReadinessProbe;
  openApi: OpenApiInfo;
  /** Rate limits and Idempotency-Key handling for the listener's API routes. */
  guards?: RouterGuards;
  /** Browser apps served as static files by this listener (the admin console). */
  singlePageApps?: SinglePageApp[];
}

export interface HttpApp {
  app: Express;
  /** Every route of the listener, operational ones included (for coverage tests). */
  routes: RouteDefinition<unknown>[];
  openApiDocument: () => ReturnType<typeof buildOpenApiDocument>;
}

/** One listener: request id → access log → security headers → CORS → routes → 404/405 → errors. */
export function createHttpApp<Principal>(options: HttpAppOptions<Principal>): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy);
  app.set('query parser', 'simple');

  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  const openApiDocument = () =>
    (document ??= buildOpenApiDocument(
      [
        { routes: operational },
        { routes: options.routes as RouteDefinition<unknown>[], ...(options.guards ? { guards: options.guards } : {}) },
      ],
      options.openApi,
    ));
  const operational = operationalRoutes({
    probe: options.probe,
    ...(options.metrics && options.exposeMetrics !== false ? { metrics: options.metrics } : {}),
    openApiDocument,
    swaggerCsp: SWAGGER_UI_CSP,
  });
  const allRoutes = [...operational, ...(options.routes as RouteDefinition<unknown>[])];

  app.use(requestLifecycle(options.logger, options.metrics));
  app.use(securityHeaders({ hsts: options.hsts }));
  if (options.corsAllowedOrigins.length > 0) {
    const allowed = new Set(options.corsAllowedOrigins);
    app.use(
      cors({
        origin: (origin, callback) => callback(null, origin !== undefined && (allowed.has(origin) || allowed.has('*'))),
        credentials: false,
        allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-ID', 'traceparent'],
        exposedHeaders: ['X-Request-ID', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'Idempotent-Replayed'],
        maxAge: 600,
      }),
    );
  }
  app.use(buildRouter(operational, { bodyLimitBytes: options.bodyLimitBytes }));
  app.use('/docs', (_req, res, next) => {
    res.locals.routePattern = '/docs/*';
    res.setHeader('Content-Security-Policy', SWAGGER_UI_CSP);
    next();
  });
  app.use('/docs', express.static(SWAGGER_UI_DIST, { index: false, fallthrough: true }));
  for (const spa of options.singlePageApps ?? []) app.use(singlePageApp(spa));
  app.use(
    buildRouter(options.routes, {
      bodyLimitBytes: options.bodyLimitBytes,
      logger: options.logger,
      ...(options.authenticator ? { authenticator: options.authenticator } : {}),
      ...(options.guards ? { guards: options.guards } : {}),
    }),
  );
  app.use(notFoundHandler(new RouteTable(allRoutes)));
  app.use(errorHandler(options.logger, options.translateError));
  return { app, routes: allRoutes, openApiDocument };
}
