import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { RetentionStore } from '@pandora/domain';

const tracer = trace.getTracer('audit-cleanup-worker');

/** One `cleanup.run` span (a new trace) around a whole run; the lock, batches and push nest under it. */
export function withRunSpan<Result extends { outcome: string }>(dryRun: boolean, run: () => Promise<Result>): Promise<Result> {
  return tracer.startActiveSpan('cleanup.run', { root: true, attributes: { 'cleanup.dry_run': dryRun } }, async (span) => {
    try {
      const result = await run();
      span.setAttribute('cleanup.outcome', result.outcome);
      if (result.outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR });
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The store with a `cleanup.batch` span around each batch delete, so that its SQL nests under it. */
export function tracedRetentionStore(store: RetentionStore): RetentionStore {
  return {
    now: () => store.now(),
    countExpired: (kind, cutoff) => store.countExpired(kind, cutoff),
    deleteExpiredBatch: (kind, cutoff, limit) =>
      tracer.startActiveSpan('cleanup.batch', { attributes: { 'cleanup.kind': kind, 'cleanup.batch_limit': limit } }, async (span) => {
        try {
          const deleted = await store.deleteExpiredBatch(kind, cutoff, limit);
          span.setAttribute('cleanup.deleted', deleted);
          return deleted;
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          throw error;
        } finally {
          span.end();
        }
      }),
  };
}
