import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createPrismaClient, createRepositories, type PrismaClient } from '@pandora/data-access';
import type { AuditEntry } from '@pandora/domain';
import { createTestDatabase, type TestDatabase } from '@pandora/testing';
import { countRows, seedAuditRows, sql } from './support/seed';
import { startWorker, summaryOf, type LogLine } from './support/worker';

/**
 * 50,000 expired audit rows deleted by the real worker process in batches of 5,000 while this test
 * keeps appending audit rows through the API's own repository. Asserted: the writer completes
 * inserts while the batches are running (it is never blocked for the run), and none of its rows is
 * touched. Reported, not asserted (timings on a shared 2-core machine are noisy): the writer's insert
 * latency before and during the run, and the cleanup's rows per second.
 */
let db: TestDatabase;
let prisma: PrismaClient;
beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ url: db.url, poolMax: 2, applicationName: 'concurrent-writer' });
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

const DAY_MS = 86_400_000;

function auditEntry(): AuditEntry {
  const now = new Date();
  return {
    id: randomUUID(),
    eventType: 'auth.login.succeeded',
    eventCategory: 'authentication',
    severity: 'info',
    userId: randomUUID(),
    actorType: 'user',
    actorIdentifier: null,
    action: 'concurrent-writer',
    resourceType: 'user',
    resourceId: null,
    ipAddress: '203.0.113.7',
    userAgent: 'concurrent-writer',
    requestId: randomUUID(),
    sessionId: null,
    metadata: null,
    previousState: null,
    newState: null,
    status: 'success',
    failureReason: null,
    retentionUntil: new Date(now.getTime() + 30 * DAY_MS),
    isSensitive: false,
    createdAt: now,
  };
}

interface Insert {
  finishedAt: number;
  latencyMs: number;
}

/** Appends audit rows back to back through the repository user-api uses, until told to stop. */
function startWriter(): { stop: () => Promise<Insert[]> } {
  const repository = createRepositories(prisma).audit;
  const inserts: Insert[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await repository.append(auditEntry());
      inserts.push({ finishedAt: Date.now(), latencyMs: performance.now() - started });
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return inserts;
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const describeLatency = (inserts: Insert[]) => {
  const latencies = inserts.map((insert) => insert.latencyMs);
  return `${inserts.length} inserts, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, worst ${Math.max(...latencies).toFixed(1)} ms`;
};

describe('a cleanup of 50,000 expired audit rows', () => {
  it('runs in batches of at most 5,000 while a concurrent writer keeps inserting through the repository', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 50_000, retention: '-10 days' });
    await sql(db.url, 'ANALYZE audit_logs');

    const baselineWriter = startWriter();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const baseline = await baselineWriter.stop();

    const writer = startWriter();
    const worker = startWorker({ DATABASE_URL: db.url, CLEANUP_BATCH_SIZE: '5000' });
    const exit = await worker.exited;
    const inserts = await writer.stop();

    expect(exit.code).toBe(0);
    const lines = worker.lines();
    const batches = lines.filter((line) => line.message === 'audit cleanup batch');
    expect(batches.map((line) => line.deleted)).toEqual(Array(10).fill(5_000));

    // The run's batches span [first batch start, last batch commit]; the writer must finish inserts inside it.
    const [first, last] = [batches[0] as LogLine, batches[batches.length - 1] as LogLine];
    const runStart = Date.parse(first.timestamp) - Number(first.batch_ms);
    const runEnd = Date.parse(last.timestamp);
    const duringRun = inserts.filter((insert) => insert.finishedAt >= runStart && insert.finishedAt <= runEnd);
    expect(duringRun.length).toBeGreaterThan(0);

    // Every row the writer added is still there; only the expired rows are gone.
    expect(await countRows(db.url, 'audit_logs')).toBe(baseline.length + inserts.length + 1); // + the run's own audit row

    const summary = summaryOf(lines);
    console.log(
      [
        `cleanup: 50,000 audit rows in ${batches.length} batches, ${(runEnd - runStart).toFixed(0)} ms of batches, ${summary.rows_per_s} rows/s over the whole run (${summary.duration_s} s)`,
        `writer without the cleanup: ${describeLatency(baseline)} in 1 s`,
        `writer during the run:      ${describeLatency(duringRun)} within the batches (${describeLatency(inserts)} over the process lifetime)`,
      ].join('\n'),
    );
  }, 120_000);
});
