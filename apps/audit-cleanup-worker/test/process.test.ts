import { createTestDatabase, type TestDatabase } from '@pandora/testing';
import { completionEvents, countRows, seedAuditRows, sql } from './support/seed';
import { startViaRunScript, startWorker, summaryOf, type LogLine } from './support/worker';

/**
 * The real entry point as an OS process against real PostgreSQL: the advisory lock between two
 * runs, SIGKILL and SIGTERM in the middle of a run, the npm script and the command line.
 * CLEANUP_BATCH_PAUSE stretches a run so that a test can act while it is in the middle of it.
 */
let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db.drop());

const isBatch = (minimum: number) => (line: LogLine) => line.message === 'audit cleanup batch' && (line.batch as number) >= minimum;

async function advisoryLocksHeld(url: string): Promise<number> {
  const rows = await sql<{ n: number }>(
    url,
    "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
  );
  return (rows[0] as { n: number }).n;
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
}

describe('the audit-cleanup-worker process', () => {
  it('lets only one of two concurrent runs work: the other exits 0 saying another run holds the lock', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 3_000, retention: '-1 day' });
    const env = { DATABASE_URL: db.url, CLEANUP_BATCH_SIZE: '100', CLEANUP_BATCH_PAUSE: '200ms' };
    const first = startWorker(env);
    await first.waitForLine(isBatch(1));

    const second = startWorker(env);
    const secondExit = await second.exited;
    const firstExit = await first.exited;

    expect(secondExit.code).toBe(0);
    const skipped = second.lines().find((line) => line.message === 'audit cleanup skipped: another run holds the lock');
    expect(skipped).toEqual(expect.objectContaining({ holder_application: 'audit-cleanup-worker:lock', holder_pid: expect.any(Number) }));
    expect(second.lines().filter((line) => line.message === 'audit cleanup batch')).toEqual([]);

    expect(firstExit.code).toBe(0);
    expect(summaryOf(first.lines()).deleted).toEqual({ audit_logs: 3_000, refresh_tokens: 0, sessions: 0, outbox_events: 0 });
    expect((await completionEvents(db.url)).map((event) => event.payload.deleted_audit_logs)).toEqual([3_000]);
    expect(await advisoryLocksHeld(db.url)).toBe(0);
  }, 90_000);

  it('killed with SIGKILL mid-run keeps every committed batch, leaves no lock behind, and the next run completes the job', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 20_000, retention: '-1 day' });
    await seedAuditRows(db.url, { label: 'retained', count: 50, retention: '1 day' });
    const env = { DATABASE_URL: db.url, CLEANUP_BATCH_SIZE: '1000', CLEANUP_BATCH_PAUSE: '200ms' };
    const doomed = startWorker(env);
    await doomed.waitForLine(isBatch(3));

    doomed.child.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');

    const left = (await countRows(db.url, 'audit_logs')) - 50;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(17_000);
    // Batches are atomic: the one in flight rolled back whole, so only whole batches are gone.
    expect(left % 1_000).toBe(0);
    expect(await completionEvents(db.url)).toEqual([]);
    // PostgreSQL ends the dead process's session, and its advisory lock with it.
    await eventually(async () => (await advisoryLocksHeld(db.url)) === 0, 20_000, 'the killed run’s lock to disappear');

    const rerun = startWorker({ DATABASE_URL: db.url, CLEANUP_BATCH_SIZE: '5000' });
    expect((await rerun.exited).code).toBe(0);
    expect(summaryOf(rerun.lines()).deleted).toEqual({ audit_logs: left, refresh_tokens: 0, sessions: 0, outbox_events: 0 });
    expect(await countRows(db.url, 'audit_logs')).toBe(50 + 1); // the retained rows + the rerun's own audit row
    expect((await completionEvents(db.url)).map((event) => event.payload.deleted_audit_logs)).toEqual([left]);
  }, 90_000);

  it('on SIGTERM shuts down gracefully: finishes the batch in flight, releases the lock, says interrupted, exits 0 without a completion event, and the next run finishes', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 5_000, retention: '-1 day' });
    const stopping = startWorker({ DATABASE_URL: db.url, CLEANUP_BATCH_SIZE: '500', CLEANUP_BATCH_PAUSE: '300ms' });
    await stopping.waitForLine(isBatch(2));

    stopping.child.kill('SIGTERM');
    const exit = await stopping.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    const lines = stopping.lines();
    expect(lines.some((line) => line.message === 'audit cleanup stop requested; finishing the batch in flight')).toBe(true);
    const summary = summaryOf(lines);
    expect(summary).toEqual(expect.objectContaining({ level: 'warn', outcome: 'interrupted', stopped_by: 'SIGTERM' }));
    const deleted = (summary.deleted as { audit_logs: number }).audit_logs;
    expect(deleted).toBeGreaterThanOrEqual(1_000);
    expect(deleted % 500).toBe(0);
    expect(await countRows(db.url, 'audit_logs')).toBe(5_000 - deleted);
    expect(await completionEvents(db.url)).toEqual([]);
    // Its metrics are published (logged here, without PUSHGATEWAY_URL), with no success timestamp.
    const metrics = lines.find((line) => line.message === 'audit cleanup metrics (PUSHGATEWAY_URL is not set)')?.metrics as Record<
      string,
      unknown
    >;
    expect(metrics).toEqual(expect.objectContaining({ audit_cleanup_deleted_total: expect.objectContaining({ audit_logs: deleted }) }));
    expect(metrics).not.toHaveProperty('audit_cleanup_last_success_timestamp_seconds');
    expect(await advisoryLocksHeld(db.url)).toBe(0);

    const rerun = startWorker({ DATABASE_URL: db.url });
    expect((await rerun.exited).code).toBe(0);
    expect(summaryOf(rerun.lines())).toEqual(expect.objectContaining({ outcome: 'completed' }));
    expect(summaryOf(rerun.lines()).deleted).toEqual({ audit_logs: 5_000 - deleted, refresh_tokens: 0, sessions: 0, outbox_events: 0 });
    expect(await countRows(db.url, 'audit_logs')).toBe(1); // the rerun's own audit row
  }, 90_000);

  it('on a second signal stops at once with 128+signal, without a summary, and the next run continues', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 5_000, retention: '-1 day' });
    const impatient = startWorker({ DATABASE_URL: db.url, CLEANUP_BATCH_SIZE: '500', CLEANUP_BATCH_PAUSE: '300ms' });
    await impatient.waitForLine(isBatch(1));

    impatient.child.kill('SIGINT');
    await impatient.waitForLine((line) => line.message === 'audit cleanup stop requested; finishing the batch in flight');
    impatient.child.kill('SIGINT');
    const exit = await impatient.exited;

    expect(exit.code).toBe(130);
    expect(impatient.lines().filter((line) => line.message === 'audit cleanup summary')).toEqual([]);
    const left = await countRows(db.url, 'audit_logs');
    expect(left % 500).toBe(0);
    expect(await completionEvents(db.url)).toEqual([]);
    await eventually(async () => (await advisoryLocksHeld(db.url)) === 0, 20_000, 'the stopped run’s lock to disappear');

    const rerun = startWorker({ DATABASE_URL: db.url });
    expect((await rerun.exited).code).toBe(0);
    expect(summaryOf(rerun.lines()).deleted).toEqual(expect.objectContaining({ audit_logs: left }));
  }, 90_000);

  it('runs through `npm run audit:cleanup -- --dry-run`: the script builds the bundle and passes the flag through', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 12, retention: '-1 day' });
    const run = startViaRunScript({ DATABASE_URL: db.url }, ['--dry-run']);

    expect((await run.exited).code).toBe(0);
    expect(summaryOf(run.lines())).toEqual(
      expect.objectContaining({
        outcome: 'dry_run',
        dry_run: true,
        would_delete: { audit_logs: 12, refresh_tokens: 0, sessions: 0, outbox_events: 0 },
      }),
    );
    expect(await countRows(db.url, 'audit_logs')).toBe(12);
  }, 90_000);

  it('refuses an unknown argument with its usage (exit 2) and a bad variable with a message naming it (exit 1)', async () => {
    const badArgument = startWorker({ DATABASE_URL: db.url }, ['--dryrun']);
    expect((await badArgument.exited).code).toBe(2);
    expect(badArgument.output()).toMatch(/Unknown option '--dryrun'/);
    expect(badArgument.output()).toContain('usage: audit-cleanup-worker [--dry-run]');

    const badVariable = startWorker({ DATABASE_URL: db.url, CLEANUP_BATCH_SIZE: '10000' });
    expect((await badVariable.exited).code).toBe(1);
    expect(badVariable.output()).toContain('Invalid configuration for audit-cleanup-worker');
    expect(badVariable.output()).toContain('CLEANUP_BATCH_SIZE: expected an integer between 1 and 5000');
  }, 60_000);
});
