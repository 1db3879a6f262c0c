// First import: tracing has to be registered before anything else loads the modules it instruments.
import { tracing } from './instrument';
import path from 'node:path';
import { bindPort, loadUserApiConfig, startupFailureMessage } from '@pandora/config';
import { listen } from '@pandora/http-kit';
import { createUserApi } from './composition-root';

/**
 * user-api: the public listener (SERVER_PORT) and the admin listener (ADMIN_PORT) in one process.
 * SIGTERM/SIGINT: readiness turns 503 at once; after SHUTDOWN_DELAY (time for load balancers to
 * notice) both listeners stop accepting and drain in-flight requests (bounded by SHUTDOWN_TIMEOUT),
 * then the database and Redis are closed, pending spans are flushed and the process exits 0.
 */
async function main(): Promise<void> {
  const config = await loadUserApiConfig();
  // The build puts the admin console beside this bundle (tools/scripts/build-app.mjs).
  const api = await createUserApi(config, { consoleDirectory: path.join(__dirname, 'console') });
  const { logger } = api;
  const [publicServer, adminServer] = await Promise.all([
    bindPort('SERVER_PORT', config.http.publicPort, () => listen(api.publicApp.app, config.http.publicPort, config.http.host)),
    bindPort('ADMIN_PORT', config.http.adminPort, () => listen(api.adminApp.app, config.http.adminPort, config.http.host)),
  ]);
  logger.info('user-api started', {
    app_env: config.appEnv,
    tracing: tracing.settings.enabled ? { endpoint: tracing.settings.endpoint, sample_rate: tracing.settings.sampleRate } : 'off',
    public_port: publicServer.port,
    admin_port: adminServer.port,
    vault_keys: config.vaultKeys,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('user-api shutting down', { signal, drain_delay_ms: config.http.shutdownDelayMs });
    api.beginShutdown();
    const forced = setTimeout(
      () => {
        logger.error('shutdown timed out; exiting');
        process.exit(1);
      },
      config.http.shutdownDelayMs + config.http.shutdownTimeoutMs + 5_000,
    );
    forced.unref();
    await new Promise((resolve) => setTimeout(resolve, config.http.shutdownDelayMs));
    await Promise.all([publicServer.close(config.http.shutdownTimeoutMs), adminServer.close(config.http.shutdownTimeoutMs)]);
    await api.close();
    await tracing.shutdown().catch((error: Error) => logger.warn('could not flush spans', { error: error.message }));
    logger.info('user-api stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${startupFailureMessage('user-api', error)}\n`);
  process.exit(1);
});
