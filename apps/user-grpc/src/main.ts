// First import: tracing has to be registered before anything else loads the modules it instruments.
import { tracing } from './instrument';
import { loadUserGrpcConfig, startupFailureMessage } from '@pandora/config';
import { createUserGrpc } from './composition-root';
import { routeGrpcJsLogs } from './grpc/grpc-js-logs';

/**
 * user-grpc: the internal gRPC API on GRPC_PORT, health/readiness/metrics over HTTP on
 * METRICS_PORT. SIGTERM/SIGINT: health NOT_SERVING and /ready 503 first, then the listener stops
 * accepting and in-flight calls finish (bounded by SHUTDOWN_TIMEOUT), the database is closed, spans are flushed, exit 0.
 */
async function main(): Promise<void> {
  const config = await loadUserGrpcConfig();
  const service = createUserGrpc(config);
  const { logger, authenticator } = service;
  routeGrpcJsLogs(logger);
  const { grpcPort, metricsPort } = await service.start();
  logger.info('user-grpc started', {
    app_env: config.appEnv,
    grpc_port: grpcPort,
    metrics_port: metricsPort,
    tls: config.grpc.tls ? (config.grpc.tls.clientCa ? 'mtls' : 'tls') : 'off',
    caller_authentication: authenticator.mode,
    tracing: tracing.settings.enabled ? { endpoint: tracing.settings.endpoint, sample_rate: tracing.settings.sampleRate } : 'off',
    callers: authenticator.callerNames,
    reflection: config.grpc.reflection,
    vault_keys: config.vaultKeys,
  });
  if (authenticator.mode === 'none') {
    logger.warn(
      'caller authentication is off: neither GRPC_AUTH_TOKENS nor GRPC_TLS_CLIENT_CA_FILE is set, every caller is accepted (dev/test only)',
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('user-grpc shutting down', { signal });
    const forced = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.grpc.shutdownTimeoutMs + 5_000);
    forced.unref();
    const outcome = await service.shutdown();
    if (outcome.forced) logger.warn('calls still running at SHUTDOWN_TIMEOUT were cancelled');
    await tracing.shutdown().catch((error: Error) => logger.warn('could not flush spans', { error: error.message }));
    logger.info('user-grpc stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${startupFailureMessage('user-grpc', error)}\n`);
  process.exit(1);
});
