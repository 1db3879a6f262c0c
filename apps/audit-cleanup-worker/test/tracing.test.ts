import { createTestDatabase, startFakeOtlpCollector, type ExportedSpan, type FakeOtlpCollector, type TestDatabase } from '@pandora/testing';
import { seedAuditRows } from './support/seed';
import { startWorker, summaryOf } from './support/worker';

/**
 * The worker process with OTEL_ENABLED=true against a collector played by the test: a run is one
 * trace, exported before the process exits (it is short-lived: nothing would flush it later).
 */
let collector: FakeOtlpCollector;
let db: TestDatabase;
beforeAll(async () => {
  [collector, db] = await Promise.all([startFakeOtlpCollector(), createTestDatabase()]);
});
afterAll(async () => {
  await db.drop();
  await collector.close();
});

const attribute = (span: ExportedSpan, key: string) => span.attributes.find((entry) => entry.key === key)?.value;

describe('tracing of a cleanup run', () => {
  it('exports one trace: a cleanup.run root, a cleanup.batch child per batch, and the SQL of each batch beneath it', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 250, retention: '-1 day' });
    const worker = startWorker({
      DATABASE_URL: db.url,
      CLEANUP_BATCH_SIZE: '100',
      OTEL_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      // Longer than the run: only the flush at exit can deliver the spans.
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    expect((await worker.exited).code).toBe(0);
    expect(summaryOf(worker.lines()).outcome).toBe('completed');

    // The process has exited: whatever it flushed has arrived.
    const runs = collector.spans.filter((span) => span.name === 'cleanup.run');
    expect(runs).toHaveLength(1);
    const run = runs[0] as ExportedSpan;
    expect(run.parentSpanId ?? '').toBe('');
    expect(attribute(run, 'cleanup.outcome')?.stringValue).toBe('completed');

    const trace = collector.spans.filter((span) => span.traceId === run.traceId);
    const batches = trace.filter((span) => span.name === 'cleanup.batch' && attribute(span, 'cleanup.kind')?.stringValue === 'audit_logs');
    // 100 + 100 + 50, then the empty batch that finds nothing left.
    expect(batches.map((span) => Number(attribute(span, 'cleanup.deleted')?.intValue))).toEqual([100, 100, 50, 0]);
    expect(batches.every((span) => span.parentSpanId === run.spanId)).toBe(true);
    for (const batch of batches) {
      expect(trace.filter((span) => span.parentSpanId === batch.spanId).length).toBeGreaterThan(0);
    }
    // Nothing of the run escaped into a trace of its own.
    expect(collector.spans.filter((span) => span.traceId !== run.traceId).map((span) => span.name)).toEqual([]);
  }, 60_000);
});
