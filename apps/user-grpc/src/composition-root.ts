import { bindPort, logWaivedTransportRules, type UserGrpcConfig } from '@pandora/config';
import type { Clock } from '@pandora/domain';
import { createServiceUseCases, type ServiceUseCases } from '@pandora/use-cases';
import { createServicePorts, type Database } from '@pandora/wiring';
import { createHttpApp, listen, type HttpApp, type RunningServer } from '@pandora/http-kit';
import { AppMetrics, createLogger, GrpcServerMetrics, type Logger } from '@pandora/observability';
import { CallerAuthenticator } from './grpc/caller-authenticator';
import { UserGrpcServer } from './grpc/grpc-server';
import { serverCredentials } from './grpc/server-credentials';

export interface UserGrpc {
  config: UserGrpcConfig;
  logger: Logger;
  metrics: AppMetrics;
  useCases: ServiceUseCases;
  database: Database;
  grpc: UserGrpcServer;
  /** /health, /ready and /metrics on METRICS_PORT. */
  httpApp: HttpApp;
  authenticator: CallerAuthenticator;
  /** Binds GRPC_PORT and METRICS_PORT (0: ephemeral) and reports SERVING. */
  start(): Promise<{ grpcPort: number; metricsPort: number }>;
  /** NOT_SERVING and /ready 503, stop accepting, drain (bounded by SHUTDOWN_TIMEOUT), close the database. */
  shutdown(): Promise<{ forced: boolean }>;
}

export interface UserGrpcOverrides {
  logger?: Logger;
  clock?: Clock;
}

const READINESS_TIMEOUT_MS = 1_000;

/** Builds user-grpc from its configuration: PostgreSQL → the internal-service use cases → gRPC. */
export function createUserGrpc(config: UserGrpcConfig, overrides: UserGrpcOverrides = {}): UserGrpc {
  const logger = overrides.logger ?? createLogger({ service: 'user-grpc', level: config.logLevel, nonBlockingStdout: true });
  logWaivedTransportRules(config.waivedTransportRules, logger);
  const metrics = new AppMetrics('user-grpc');
  const { ports, database } = createServicePorts(config, {
    applicationName: 'user-grpc',
    ...(overrides.clock ? { clock: overrides.clock } : {}),
  });
  const useCases = createServiceUseCases(ports);
  const authenticator = new CallerAuthenticator(config.grpc.authTokens, config.grpc.tls?.clientCa != null);
  const grpc = new UserGrpcServer({
    useCases,
    authenticator,
    logger,
    metrics: new GrpcServerMetrics(metrics.registry),
    reflection: config.grpc.reflection,
  });

  let shuttingDown = false;
  const httpApp = createHttpApp({
    logger,
    metrics,
    trustProxy: false,
    corsAllowedOrigins: [],
    bodyLimitBytes: 1024,
    hsts: false,
    routes: [],
    probe: { checks: { database: () => database.check(READINESS_TIMEOUT_MS) }, isShuttingDown: () => shuttingDown },
    openApi: {
      title: 'Pandora Exchange user-grpc — operations',
      version: '1.0.0',
      description: 'Health, readiness and metrics of the gRPC server.',
    },
  });
  let metricsServer: RunningServer | undefined;

  return {
    config,
    logger,
    metrics,
    useCases,
    database,
    grpc,
    httpApp,
    authenticator,
    async start() {
      const grpcPort = await bindPort('GRPC_PORT', config.grpc.port, () =>
        grpc.listen(config.grpc.host, config.grpc.port, serverCredentials(config.grpc.tls)),
      );
      metricsServer = await bindPort('METRICS_PORT', config.metrics.port, () => listen(httpApp.app, config.metrics.port, config.grpc.host));
      return { grpcPort, metricsPort: metricsServer.port };
    },
    async shutdown() {
      shuttingDown = true;
      const outcome = await grpc.shutdown(config.grpc.shutdownTimeoutMs);
      await metricsServer?.close(1_000);
      await database.close();
      return outcome;
    },
  };
}
