// First import: tracing has to be registered before anything else loads the modules it instruments.
import { tracing } from './instrument';
import { bindPort, loadEventRelayConfig, startupFailureMessage } from '@pandora/config';
import { listen } from '@pandora/http-kit';
import { createEventRelay } from './composition-root';

/**
 * event-relay: publishes committed outbox rows to the Redis stream; /health, /ready and /metrics
 * on METRICS_PORT. SIGTERM/SIGINT: readiness turns 503, the batch in flight is finished and
 * marked (bounded by SHUTDOWN_TIMEOUT; an unfinished batch simply stays unpublished and goes out
 * again later), the leader lease is released, connections close, exit 0.
 */
async function main(): Promise<void> {
  const config = await loadEventRelayConfig();
  const app = createEventRelay(config);
  const { logger } = app;
  const server = await bindPort('METRICS_PORT', config.http.metricsPort, () =>
    listen(app.httpApp.app, config.http.metricsPort, config.http.host),
  );
  app.relay.start();
  app.courier.start();
  logger.info('event-relay started', {
    app_env: config.appEnv,
    metrics_port: server.port,
    stream: config.stream.name,
    stream_maxlen: config.stream.maxLength,
    batch_size: config.relay.batchSize,
    // The host only: SMTP_URL may carry credentials.
    smtp: config.mail.usesLocalCatcher
      ? `${new URL(config.mail.smtpUrl).host} (local mail catcher: SMTP_URL is not set)`
      : new URL(config.mail.smtpUrl).host,
    public_web_url: config.mail.publicWebUrl,
    vault_keys: config.vaultKeys,
    tracing: tracing.settings.enabled ? { endpoint: tracing.settings.endpoint, sample_rate: tracing.settings.sampleRate } : 'off',
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('event-relay shutting down', { signal });
    app.beginShutdown();
    const forced = setTimeout(() => {
      logger.error('shutdown timed out; exiting (unmarked events will be published again)');
      process.exit(1);
    }, config.http.shutdownTimeoutMs + 5_000);
    forced.unref();
    const relayStopped = await Promise.race([
      Promise.all([app.relay.stop(), app.courier.stop()]).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), config.http.shutdownTimeoutMs).unref()),
    ]);
    if (!relayStopped) logger.warn('the work in flight did not finish in time; unpublished events and unmarked mail go out again');
    await server.close(1_000);
    await app.close();
    await tracing.shutdown().catch((error: Error) => logger.warn('could not flush spans', { error: error.message }));
    logger.info('event-relay stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${startupFailureMessage('event-relay', error)}\n`);
  process.exit(1);
});
