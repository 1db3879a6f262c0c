// Imported first by main.ts: tracing must hook pg before anything loads them.
import { startTracingFromEnv } from '@pandora/observability/tracing';

export const tracing = startTracingFromEnv('audit-cleanup-worker');

// A one-shot process: the exporter batches spans, so flush them once the run's work is done.
// 'beforeExit' fires when the event loop empties (main sets process.exitCode and lets it drain);
// the flush schedules more work, and the process exits when that is done.
process.once('beforeExit', () => {
  tracing.shutdown().catch((error: Error) => process.stderr.write(`could not flush spans: ${error.message}\n`));
});
