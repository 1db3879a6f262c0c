import { createTestDatabase, type TestDatabase } from '@pandora/testing';
import { runCleanup } from '../src/run-cleanup';
import {
  completionEvents,
  countRows,
  remainingByLabel,
  seedAuditRows,
  seedOutboxEvents,
  seedSessions,
  sql,
  watchDeletesPerTransaction,
} from './support/seed';
import { capturingLogger, summaryOf, workerConfig, type LogLine } from './support/worker';

/**
 * One run against real PostgreSQL, in-process (the process-level behaviour — signals, the lock,
 * the Pushgateway, the npm script — is in process.test.ts). Every kind is seeded on both sides of
 * its cutoff, close to it and far from it, and the run must delete exactly the expired side.
 */
let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db.drop());

/** Expired and retained rows of every kind; the labels say which side of the cutoff each is on. */
async function seedBothSidesOfEveryCutoff(url: string): Promise<void> {
  // audit_logs: expired when retention_until < now().
  await seedAuditRows(url, { label: 'expired-long-ago', count: 40, retention: '-400 days' });
  await seedAuditRows(url, { label: 'expired-just-now', count: 3, retention: '-1 minute' });
  await seedAuditRows(url, { label: 'retained-1-minute-more', count: 2, retention: '1 minute' });
  await seedAuditRows(url, { label: 'retained-years', count: 5, retention: '2555 days' });
  // sessions: expired or revoked more than 7 days (168h) ago.
  await seedSessions(url, { label: 'expired-8-days-ago', count: 4, expires: '-8 days', revoked: null });
  await seedSessions(url, { label: 'expired-just-past-window', count: 2, expires: '-169 hours', revoked: null });
  await seedSessions(url, { label: 'expired-just-inside-window', count: 2, expires: '-167 hours', revoked: null });
  await seedSessions(url, { label: 'expired-yesterday', count: 3, expires: '-1 day', revoked: null });
  await seedSessions(url, { label: 'revoked-8-days-ago', count: 3, expires: '30 days', revoked: '-8 days' });
  await seedSessions(url, { label: 'revoked-just-inside-window', count: 2, expires: '30 days', revoked: '-167 hours' });
  await seedSessions(url, { label: 'revoked-long-ago-expired-recently', count: 2, expires: '-2 days', revoked: '-9 days' });
  await seedSessions(url, { label: 'active', count: 5, expires: '6 days', revoked: null });
  // outbox_events: published more than 7 days ago; unpublished rows are never deleted.
  await seedOutboxEvents(url, { label: 'published-8-days-ago', count: 6, published: '-8 days' });
  await seedOutboxEvents(url, { label: 'published-just-past-window', count: 2, published: '-169 hours' });
  await seedOutboxEvents(url, { label: 'published-just-inside-window', count: 2, published: '-167 hours' });
  await seedOutboxEvents(url, { label: 'published-a-minute-ago', count: 3, published: '-1 minute' });
  await seedOutboxEvents(url, { label: 'never-published-30-days-old', count: 4, published: null });
}

// Every seeded session has two refresh tokens.
const EXPECTED_DELETED = { audit_logs: 43, refresh_tokens: 22, sessions: 11, outbox_events: 8 };
const EXPECTED_REMAINING = {
  audit: { 'retained-1-minute-more': 2, 'retained-years': 5 },
  sessions: { 'expired-just-inside-window': 2, 'expired-yesterday': 3, 'revoked-just-inside-window': 2, active: 5 },
  // Every refresh token of a deleted session goes with it; the others stay.
  tokens: { 'expired-just-inside-window': 4, 'expired-yesterday': 6, 'revoked-just-inside-window': 4, active: 10 },
  outbox: { 'published-just-inside-window': 2, 'published-a-minute-ago': 3, 'never-published-30-days-old': 4 },
};

describe('a cleanup run', () => {
  it('deletes exactly the expired rows of every kind and nothing on the retained side of any cutoff', async () => {
    await seedBothSidesOfEveryCutoff(db.url);
    const { logger, lines } = capturingLogger();

    const result = await runCleanup(workerConfig(db.url), { dryRun: false, logger });

    expect(result).toEqual({ outcome: 'completed', exitCode: 0 });
    expect(await remainingByLabel(db.url)).toEqual(EXPECTED_REMAINING);
    const summary = summaryOf(lines());
    expect(summary.level).toBe('info');
    expect(summary.deleted).toEqual(EXPECTED_DELETED);
    expect(summary.deleted_total).toBe(84);
  });

  it('in --dry-run deletes nothing, writes nothing, and reports the counts a real run then deletes', async () => {
    await seedBothSidesOfEveryCutoff(db.url);
    const before = await remainingByLabel(db.url);
    const outboxBefore = await countRows(db.url, 'outbox_events');
    const auditBefore = await countRows(db.url, 'audit_logs');

    const dry = capturingLogger();
    expect(await runCleanup(workerConfig(db.url), { dryRun: true, logger: dry.logger })).toEqual({ outcome: 'dry_run', exitCode: 0 });
    expect(await remainingByLabel(db.url)).toEqual(before);
    expect(await countRows(db.url, 'outbox_events')).toBe(outboxBefore);
    expect(await countRows(db.url, 'audit_logs')).toBe(auditBefore);
    const drySummary = summaryOf(dry.lines());
    expect(drySummary.outcome).toBe('dry_run');
    expect(drySummary.would_delete).toEqual(EXPECTED_DELETED);
    expect(dry.lines().some((line) => line.message === 'audit cleanup batch')).toBe(false);

    const real = capturingLogger();
    await runCleanup(workerConfig(db.url), { dryRun: false, logger: real.logger });
    expect(summaryOf(real.lines()).deleted).toEqual(drySummary.would_delete);
  });

  it('records audit.retention.completed in the outbox, with the counts and the cutoff, beside an audit row about itself', async () => {
    await seedBothSidesOfEveryCutoff(db.url);
    const { logger, lines } = capturingLogger();

    await runCleanup(workerConfig(db.url, { AUDIT_RETENTION_DAYS: '90' }), { dryRun: false, logger });

    const summary = summaryOf(lines());
    const cutoffs = summary.cutoffs as Record<string, string>;
    const events = await completionEvents(db.url);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.id).toBe(summary.event_id);
    expect(event?.aggregate_id).toBeNull();
    expect(event?.published_at).toBeNull();
    expect(event?.payload).toEqual({
      deleted_audit_logs: 43,
      deleted_sessions: 11,
      deleted_refresh_tokens: 22,
      deleted_outbox_events: 8,
      cutoff: cutoffs.audit_logs,
    });
    expect(event?.metadata).toEqual({ actor_type: 'system' });
    // The cutoffs follow from one database timestamp: the audit cutoff is "now", the others 7 days before it.
    const auditCutoff = Date.parse(cutoffs.audit_logs as string);
    expect(Date.parse(cutoffs.sessions as string)).toBe(auditCutoff - 7 * 86_400_000);
    expect(cutoffs.refresh_tokens).toBe(cutoffs.sessions);
    expect(Date.parse(cutoffs.outbox_events as string)).toBe(auditCutoff - 7 * 86_400_000);

    const [audit] = await sql<{
      actor_type: string;
      actor_identifier: string;
      action: string;
      metadata: Record<string, unknown>;
      days: number;
    }>(
      db.url,
      `SELECT actor_type, actor_identifier, action, metadata, round(extract(epoch FROM retention_until - created_at) / 86400)::int AS days
       FROM audit_logs WHERE event_type = 'audit.retention.completed'`,
    );
    expect(audit).toEqual({
      actor_type: 'system',
      actor_identifier: 'audit-cleanup-worker',
      action: 'purge_expired_records',
      metadata: { event_id: summary.event_id, deleted: EXPECTED_DELETED, cutoffs },
      days: 90,
    });
  });

  it('emits the event with zero counts when nothing has expired, and a second run never deletes the first one’s event', async () => {
    await seedOutboxEvents(db.url, { label: 'published-a-minute-ago', published: '-1 minute' });
    const first = capturingLogger();
    await runCleanup(workerConfig(db.url), { dryRun: false, logger: first.logger });
    const second = capturingLogger();
    await runCleanup(workerConfig(db.url), { dryRun: false, logger: second.logger });

    const events = await completionEvents(db.url);
    expect(
      events.map((event) => event.payload.deleted_audit_logs + event.payload.deleted_sessions + event.payload.deleted_outbox_events),
    ).toEqual([0, 0]);
    expect(summaryOf(second.lines()).deleted).toEqual({ audit_logs: 0, refresh_tokens: 0, sessions: 0, outbox_events: 0 });
  });

  it('deletes in batches of at most CLEANUP_BATCH_SIZE rows and logs each batch with its rate', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 2_345, retention: '-1 day' });
    await seedSessions(db.url, { label: 'expired', count: 250, expires: '-30 days', revoked: null });
    await seedSessions(db.url, { label: 'revoked', count: 120, expires: '10 days', revoked: '-30 days' });
    const { logger, lines } = capturingLogger();

    await runCleanup(workerConfig(db.url, { CLEANUP_BATCH_SIZE: '500' }), { dryRun: false, logger });

    const batches = lines().filter((line) => line.message === 'audit cleanup batch');
    const sizes = (kind: string) => batches.filter((line) => line.kind === kind).map((line) => line.deleted);
    expect(sizes('audit_logs')).toEqual([500, 500, 500, 500, 345]);
    // Expired sessions first (expires_at index), then revoked ones (revoked_at index), each batch
    // after the refresh tokens of the sessions it takes.
    expect(sizes('sessions')).toEqual([250, 120]);
    expect(sizes('refresh_tokens')).toEqual([500, 240]);
    for (const batch of batches) {
      expect(batch).toEqual(
        expect.objectContaining({
          batch: expect.any(Number),
          kind_deleted: expect.any(Number),
          batch_ms: expect.any(Number),
          rows_per_s: expect.any(Number),
        }),
      );
    }
    expect(batches.filter((line) => line.kind === 'audit_logs').map((line) => line.kind_deleted)).toEqual([500, 1000, 1500, 2000, 2345]);
  });

  it('deletes the refresh tokens of long-lived sessions in batches of their own, so that no transaction deletes more than CLEANUP_BATCH_SIZE rows', async () => {
    await seedSessions(db.url, { label: 'expired-long-lived', count: 3, expires: '-30 days', revoked: null, tokens: 12_000 });
    await seedSessions(db.url, { label: 'revoked-long-lived', count: 1, expires: '10 days', revoked: '-30 days', tokens: 7_000 });
    await seedSessions(db.url, { label: 'active', count: 2, expires: '6 days', revoked: null, tokens: 3_000 });
    await sql(db.url, 'ANALYZE sessions, refresh_tokens');
    const deletesPerTransaction = await watchDeletesPerTransaction(db.url);

    const dry = capturingLogger();
    await runCleanup(workerConfig(db.url, { CLEANUP_BATCH_SIZE: '5000' }), { dryRun: true, logger: dry.logger });
    const { logger, lines } = capturingLogger();
    const result = await runCleanup(workerConfig(db.url, { CLEANUP_BATCH_SIZE: '5000' }), { dryRun: false, logger });

    expect(result.outcome).toBe('completed');
    // A session batch whose cascade took the tokens would leave the token batches short of 43,000.
    const batches = lines().filter((line) => line.message === 'audit cleanup batch');
    const tokenBatches = batches.filter((line) => line.kind === 'refresh_tokens').map((line) => line.deleted as number);
    expect(tokenBatches.every((size) => size <= 5_000)).toBe(true);
    expect(tokenBatches.reduce((sum, size) => sum + size, 0)).toBe(43_000);
    expect(batches.filter((line) => line.kind === 'sessions').map((line) => line.deleted)).toEqual([3, 1]);
    // Measured in the database, cascades included: every transaction stayed within the batch size.
    const { transactions, largest } = await deletesPerTransaction();
    expect(largest).toBeLessThanOrEqual(5_000);
    expect(transactions).toBeGreaterThanOrEqual(10);

    const remaining = await remainingByLabel(db.url);
    expect(remaining.sessions).toEqual({ active: 2 });
    expect(remaining.tokens).toEqual({ active: 6_000 });
    const expected = { audit_logs: 0, refresh_tokens: 43_000, sessions: 4, outbox_events: 0 };
    expect(summaryOf(lines()).deleted).toEqual(expected);
    expect(summaryOf(dry.lines()).would_delete).toEqual(expected);
    expect((await completionEvents(db.url))[0]?.payload).toEqual(
      expect.objectContaining({ deleted_sessions: 4, deleted_refresh_tokens: 43_000 }),
    );
  }, 60_000);

  it('honours SESSION_RETENTION and OUTBOX_RETENTION instead of the 7-day default', async () => {
    await seedSessions(db.url, { label: 'expired-4-days-ago', count: 2, expires: '-4 days', revoked: null });
    await seedSessions(db.url, { label: 'expired-2-days-ago', count: 2, expires: '-2 days', revoked: null });
    await seedOutboxEvents(db.url, { label: 'published-2-hours-ago', count: 2, published: '-2 hours' });
    await seedOutboxEvents(db.url, { label: 'published-30-minutes-ago', count: 2, published: '-30 minutes' });
    const { logger } = capturingLogger();

    await runCleanup(workerConfig(db.url, { SESSION_RETENTION: '72h', OUTBOX_RETENTION: '1h' }), { dryRun: false, logger });

    const remaining = await remainingByLabel(db.url);
    expect(remaining.sessions).toEqual({ 'expired-2-days-ago': 2 });
    expect(remaining.outbox).toEqual({ 'published-30-minutes-ago': 2 });
  });

  it('stops after the batch in flight when a stop is requested, exits 0 as a graceful shutdown, and records no completion', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 1_000, retention: '-1 day' });
    const { logger, lines } = capturingLogger();
    let stop: NodeJS.Signals | null = null;
    const countBatches = () => lines().filter((line: LogLine) => line.message === 'audit cleanup batch').length;

    const result = await runCleanup(workerConfig(db.url, { CLEANUP_BATCH_SIZE: '100' }), {
      dryRun: false,
      logger,
      stopRequested: () => {
        if (countBatches() >= 3) stop = 'SIGTERM';
        return stop;
      },
    });

    expect(result).toEqual({ outcome: 'interrupted', exitCode: 0 });
    expect(await countRows(db.url, 'audit_logs')).toBe(700);
    expect(await completionEvents(db.url)).toEqual([]);
    const summary = summaryOf(lines());
    expect(summary).toEqual(expect.objectContaining({ level: 'warn', outcome: 'interrupted', stopped_by: 'SIGTERM' }));
    expect(summary.deleted).toEqual({ audit_logs: 300, refresh_tokens: 0, sessions: 0, outbox_events: 0 });
  });

  it('fails with exit code 1 and an error summary when the database is unreachable', async () => {
    const { logger, lines } = capturingLogger();
    const unreachable = 'postgresql://postgres@127.0.0.1:1/nowhere';

    const result = await runCleanup(workerConfig(unreachable), { dryRun: false, logger });

    expect(result).toEqual({ outcome: 'failed', exitCode: 1 });
    const summary = summaryOf(lines());
    expect(summary.level).toBe('error');
    expect(summary.error).toEqual(expect.stringMatching(/ECONNREFUSED|connect/));
  });

  it('logs its metrics when PUSHGATEWAY_URL is not set', async () => {
    await seedAuditRows(db.url, { label: 'expired', count: 7, retention: '-1 day' });
    await seedOutboxEvents(db.url, { label: 'old', count: 2, published: '-30 days' });
    const { logger, lines } = capturingLogger();

    await runCleanup(workerConfig(db.url), { dryRun: false, logger });

    const metricsLine = lines().find((line) => line.message.startsWith('audit cleanup metrics'));
    const metrics = metricsLine?.metrics as Record<string, unknown>;
    expect(metrics.audit_cleanup_deleted_total).toEqual({ audit_logs: 7, refresh_tokens: 0, sessions: 0, outbox_events: 2 });
    expect(metrics.audit_cleanup_run_duration_seconds).toEqual(expect.any(Number));
    expect(metrics.audit_cleanup_last_success_timestamp_seconds).toBeCloseTo(Date.now() / 1000, -2);
  });
});
