// First import: tracing has to be registered before anything else loads the modules it instruments.
import './instrument';
import { ConfigError, loadAuditCleanupWorkerConfig, logWaivedTransportRules } from '@pandora/config';
import { createLogger } from '@pandora/observability';
import { parseCliArgs, USAGE, type CliOptions } from './cli-args';
import { exitCodeForSignal, runCleanup } from './run-cleanup';

/**
 * audit-cleanup-worker: one retention run, then exit (a Kubernetes CronJob; `npm run audit:cleanup`).
 * SIGTERM/SIGINT is a graceful shutdown (docs/observability.md#graceful-shutdown): the batch in flight finishes and commits,
 * nothing else starts, the lock is released, the summary says `interrupted`, metrics are pushed, and
 * the process exits 0; the next run continues. A second signal exits at once with 128+signal (the
 * batch in flight rolls back, the lock dies with its session).
 */
async function main(): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const config = await loadAuditCleanupWorkerConfig();
  const logger = createLogger({ service: 'audit-cleanup-worker', level: config.logLevel });
  logWaivedTransportRules(config.waivedTransportRules, logger);
  let stopSignal: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) {
      logger.warn('audit cleanup stopping now on a second signal; the batch in flight rolls back', { signal });
      process.exit(exitCodeForSignal(signal));
    }
    stopSignal = signal;
    logger.warn('audit cleanup stop requested; finishing the batch in flight', { signal });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const result = await runCleanup(config, { dryRun: cli.dryRun, logger, stopRequested: () => stopSignal });
  return result.exitCode;
}

void main()
  .catch((error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`audit-cleanup-worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  })
  .then((code) => {
    // Exit once stdout has drained (so the summary line is never cut off); force it if a handle lingers.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 5_000).unref();
  });
