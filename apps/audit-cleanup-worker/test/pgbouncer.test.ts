import { createTestDatabase, PrivatePgBouncer, readInfrastructure, type TestDatabase } from '@pandora/testing';
import { completionEvents, countRows, seedAuditRows } from './support/seed';
import { startWorker, summaryOf, type LogLine } from './support/worker';

/**
 * The worker with DATABASE_URL pointing at a real PgBouncer in transaction pooling mode: its
 * batches go through the pooler, its lock (session state) to DATABASE_DIRECT_URL. Two runs: one
 * works, one skips. A lock that would go through the pooler is refused instead of "held" twice.
 */
let db: TestDatabase;
let bouncer: PrivatePgBouncer;

beforeAll(async () => {
  bouncer = await PrivatePgBouncer.start({ upstreamUrl: readInfrastructure().adminDatabaseUrl, poolMode: 'transaction', poolSize: 2 });
}, 30_000);
afterAll(() => bouncer?.destroy());
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db.drop());

const isBatch = (line: LogLine) => line.message === 'audit cleanup batch';

describe('audit-cleanup-worker behind a transaction-pooling PgBouncer', () => {
  it('with its lock on DATABASE_DIRECT_URL: of two concurrent runs one works, the other skips', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 3_000, retention: '-1 day' });
    // The first run pauses a minute after each batch, so it certainly holds the lock while the
    // second starts, however slow the machine; SIGTERM then ends it, and a third run finishes.
    const env = { DATABASE_URL: bouncer.url(db.name), DATABASE_DIRECT_URL: db.url, CLEANUP_BATCH_SIZE: '100' };
    const first = startWorker({ ...env, CLEANUP_BATCH_PAUSE: '1m' });
    await first.waitForLine(isBatch);
    const second = startWorker(env);
    const secondExit = await second.exited;

    expect(secondExit.code).toBe(0);
    expect(second.lines().some((line) => line.message === 'audit cleanup skipped: another run holds the lock')).toBe(true);
    expect(second.lines().filter(isBatch)).toEqual([]);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(summaryOf(first.lines())).toMatchObject({ outcome: 'interrupted', deleted: expect.objectContaining({ audit_logs: 100 }) });

    const third = startWorker(env);
    expect((await third.exited).code).toBe(0);
    expect(summaryOf(third.lines())).toMatchObject({ outcome: 'completed', deleted: expect.objectContaining({ audit_logs: 2_900 }) });
    expect((await completionEvents(db.url)).map((event) => event.payload.deleted_audit_logs)).toEqual([2_900]);
  }, 90_000);

  it('with its lock on the pooler: the run refuses to start deleting, names DATABASE_DIRECT_URL and exits 1', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 50, retention: '-1 day' });
    const run = startWorker({ DATABASE_URL: bouncer.url(db.name) });
    expect((await run.exited).code).toBe(1);
    expect(summaryOf(run.lines())).toMatchObject({ outcome: 'failed', error: expect.stringContaining('DATABASE_DIRECT_URL') });
    expect(await countRows(db.url, 'audit_logs')).toBe(50);
  }, 60_000);
});
