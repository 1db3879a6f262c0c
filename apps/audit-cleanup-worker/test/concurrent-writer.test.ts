import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRepositories, Database } from '@pandora/data-access';
import type { AuditEntry } from '@pandora/domain';
import { createTestDatabase, eventually, type TestDatabase } from '@pandora/testing';
import pg from 'pg';
import { countRows, seedAuditRows, sql } from './support/seed';
import { startWorker, summaryOf, type LogLine } from './support/worker';

/**
 * 50,000 expired audit rows deleted by the real worker process in batches of 5,000 while this test
 * keeps appending audit rows through the API's own repository. Asserted: the writer keeps completing
 * inserts throughout the run — no long stall anywhere in it, and inserts complete inside most
 * batches, which a batch that blocked inserts (a table lock, one long transaction) would prevent —
 * and none of its rows is touched. Reported, not asserted (timings on a shared 2-core machine are
 * noisy): the writer's insert latency before and during the run, and the cleanup's rows per second.
 */
let db: TestDatabase;
let database: Database;
beforeAll(async () => {
  db = await createTestDatabase();
  database = new Database({ url: db.url, poolMax: 2, applicationName: 'concurrent-writer' });
});
afterAll(async () => {
  await database.close();
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

interface Window {
  start: number;
  end: number;
}

/** The longest time within `window` during which no insert completed (its edges included). */
function longestStall(inserts: Insert[], window: Window): number {
  const points = [
    window.start,
    ...inserts.map((insert) => insert.finishedAt).filter((at) => at > window.start && at < window.end),
    window.end,
  ];
  return Math.max(...points.slice(1).map((at, index) => at - (points[index] as number)));
}

const completedWithin = (inserts: Insert[], window: Window) =>
  inserts.filter((insert) => insert.finishedAt >= window.start && insert.finishedAt <= window.end).length;

/** Appends audit rows back to back through the repository user-api uses, until told to stop. */
function startWriter(): { completed: () => number; stop: () => Promise<Insert[]> } {
  const repository = createRepositories(database).audit;
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
    completed: () => inserts.length,
    stop: async () => {
      running = false;
      await loop;
      return inserts;
    },
  };
}

/**
 * Polls pg_stat_activity until stopped: how often a backend of `applicationName` was found waiting
 * for a heavyweight lock (a table or row lock, as a blocking batch would hold), out of how many looks.
 */
function watchLockWaits(url: string, applicationName: string): { stop: () => Promise<{ samples: number; writerWaiting: number }> } {
  const client = new pg.Client({ connectionString: url, application_name: 'lock-wait-watcher' });
  const result = { samples: 0, writerWaiting: 0 };
  let running = true;
  const loop = (async () => {
    await client.connect();
    try {
      while (running) {
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [applicationName],
        );
        result.samples += 1;
        result.writerWaiting += (rows[0] as { n: number }).n;
        await new Promise((resolve) => setTimeout(resolve, 5)); // the sampling period of the watcher, not a wait
      }
    } finally {
      await client.end();
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return result;
    },
  };
}

const BASELINE_INSERTS = 300;

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

    // The writer's latency without the cleanup, over a fixed number of inserts (however long they take here).
    const baselineWriter = startWriter();
    await eventually(() => baselineWriter.completed() >= BASELINE_INSERTS, 'the baseline inserts', 60_000);
    const baseline = await baselineWriter.stop();

    const writer = startWriter();
    const watcher = watchLockWaits(db.url, 'concurrent-writer');
    const worker = startWorker({ DATABASE_URL: db.url, CLEANUP_BATCH_SIZE: '5000' });
    const exit = await worker.exited;
    const lockWaits = await watcher.stop();
    const inserts = await writer.stop();

    expect(exit.code).toBe(0);
    const lines = worker.lines();
    const batches = lines.filter((line) => line.message === 'audit cleanup batch');
    expect(batches.map((line) => line.deleted)).toEqual(Array(10).fill(5_000));

    // Each batch ran in [its log line's time − batch_ms, its log line's time]; the run spans them all.
    const windows: Window[] = batches.map((line: LogLine) => ({
      start: Date.parse(line.timestamp) - Number(line.batch_ms),
      end: Date.parse(line.timestamp),
    }));
    const [runStart, runEnd] = [(windows[0] as Window).start, (windows[windows.length - 1] as Window).end];
    const duringRun = inserts.filter((insert) => insert.finishedAt >= runStart && insert.finishedAt <= runEnd);
    const perBatch = windows.map((window) => completedWithin(inserts, window));
    expect(perBatch.filter((completed) => completed > 0).length).toBeGreaterThanOrEqual(Math.ceil(windows.length / 2));
    // Watched from PostgreSQL itself, which timing noise cannot blur: the writer never waited for a lock.
    expect(lockWaits.samples).toBeGreaterThan(0);
    expect(lockWaits.writerWaiting).toBe(0);
    // No stall anywhere in the run; the bound grows with the load the machine is under right now.
    const stall = longestStall(inserts, { start: runStart, end: runEnd });
    expect(stall).toBeLessThan(
      Math.max(
        1_000,
        4 *
          percentile(
            baseline.map((insert) => insert.latencyMs),
            99,
          ),
      ),
    );

    // Every row the writer added is still there; only the expired rows are gone.
    expect(await countRows(db.url, 'audit_logs')).toBe(baseline.length + inserts.length + 1); // + the run's own audit row

    const summary = summaryOf(lines);
    console.log(
      [
        `cleanup: 50,000 audit rows in ${batches.length} batches, ${(runEnd - runStart).toFixed(0)} ms of batches, ${summary.rows_per_s} rows/s over the whole run (${summary.duration_s} s)`,
        `writer without the cleanup: ${describeLatency(baseline)}`,
        `writer during the run:      ${describeLatency(duringRun)} within the batches (${describeLatency(inserts)} over the process lifetime)`,
        `writer inserts completed per batch: ${perBatch.join(' ')}; longest stall during the run ${stall.toFixed(0)} ms; ${lockWaits.samples} looks for lock waits`,
      ].join('\n'),
    );
  }, 120_000);
});
