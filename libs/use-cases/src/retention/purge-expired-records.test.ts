import { type RetentionCounts, type RetentionKind, type RetentionStore } from '@pandora/domain';
import { createFakePorts, eventTypes, type FakePorts } from '../testing';
import { PurgeExpiredRecords, type RetentionPolicy } from './purge-expired-records';

const DAY_MS = 86_400_000;
const DB_NOW = new Date('2026-03-01T00:00:00.000Z');

/** Expired rows per kind, deleted from the front; records every batch it was asked for. */
class FakeRetentionStore implements RetentionStore {
  readonly batches: Array<[RetentionKind, number]> = [];
  readonly cutoffs = new Map<RetentionKind, Date>();

  constructor(readonly expired: RetentionCounts) {}

  async now(): Promise<Date> {
    return DB_NOW;
  }

  async countExpired(kind: RetentionKind, cutoff: Date): Promise<number> {
    this.cutoffs.set(kind, cutoff);
    return this.expired[kind];
  }

  async deleteExpiredBatch(kind: RetentionKind, cutoff: Date, limit: number): Promise<number> {
    this.cutoffs.set(kind, cutoff);
    const deleted = Math.min(limit, this.expired[kind]);
    this.expired[kind] -= deleted;
    if (deleted > 0) this.batches.push([kind, deleted]);
    return deleted;
  }
}

const POLICY: RetentionPolicy = { sessionWindowMs: 7 * DAY_MS, outboxWindowMs: 3 * DAY_MS, batchSize: 2, pauseMs: 0 };

describe('PurgeExpiredRecords', () => {
  let ports: FakePorts;

  beforeEach(() => {
    ports = createFakePorts();
  });

  const purge = (store: RetentionStore, policy = POLICY) => new PurgeExpiredRecords({ ...ports, store }, policy);

  it('fixes the cutoffs once, from the database clock', async () => {
    const store = new FakeRetentionStore({ audit_logs: 0, refresh_tokens: 0, sessions: 0, outbox_events: 0 });
    const outcome = await purge(store).execute({ dryRun: false });
    expect(outcome.cutoffs).toEqual({
      audit_logs: DB_NOW,
      refresh_tokens: new Date(DB_NOW.getTime() - 7 * DAY_MS),
      sessions: new Date(DB_NOW.getTime() - 7 * DAY_MS),
      outbox_events: new Date(DB_NOW.getTime() - 3 * DAY_MS),
    });
  });

  it('in a dry run counts what has expired and deletes and records nothing', async () => {
    const store = new FakeRetentionStore({ audit_logs: 3, refresh_tokens: 1, sessions: 2, outbox_events: 5 });
    const outcome = await purge(store).execute({ dryRun: true });
    expect(outcome).toMatchObject({ status: 'dry_run', expired: { audit_logs: 3, refresh_tokens: 1, sessions: 2, outbox_events: 5 } });
    expect(store.batches).toEqual([]);
    expect(ports.db.audit).toEqual([]);
  });

  it('deletes every kind in batches, emptying the refresh tokens before each session batch', async () => {
    const store = new FakeRetentionStore({ audit_logs: 3, refresh_tokens: 3, sessions: 3, outbox_events: 1 });
    const outcome = await purge(store).execute({ dryRun: false });
    expect(store.batches).toEqual([
      ['audit_logs', 2],
      ['audit_logs', 1],
      ['refresh_tokens', 2],
      ['refresh_tokens', 1],
      ['sessions', 2],
      ['sessions', 1],
      ['outbox_events', 1],
    ]);
    expect(outcome).toMatchObject({ status: 'completed', deleted: { audit_logs: 3, refresh_tokens: 3, sessions: 3, outbox_events: 1 } });
  });

  it('reports every batch with its number and running totals', async () => {
    const store = new FakeRetentionStore({ audit_logs: 3, refresh_tokens: 0, sessions: 0, outbox_events: 0 });
    const reported: Array<[RetentionKind, number, number, number]> = [];
    await purge(store).execute({
      dryRun: false,
      onBatch: (batch) => reported.push([batch.kind, batch.batch, batch.deleted, batch.kindDeleted]),
    });
    expect(reported).toEqual([
      ['audit_logs', 1, 2, 2],
      ['audit_logs', 2, 1, 3],
    ]);
  });

  it('records audit.retention.completed with the counts and an audit row about itself, in one transaction', async () => {
    const store = new FakeRetentionStore({ audit_logs: 1, refresh_tokens: 0, sessions: 2, outbox_events: 0 });
    const outcome = await purge(store).execute({ dryRun: false });
    expect(eventTypes(ports)).toEqual(['audit.retention.completed']);
    expect(ports.db.outbox[0]).toMatchObject({
      id: outcome.status === 'completed' ? outcome.eventId : 'none',
      userId: null,
      payload: {
        deleted_audit_logs: 1,
        deleted_sessions: 2,
        deleted_refresh_tokens: 0,
        deleted_outbox_events: 0,
        cutoff: DB_NOW.toISOString(),
      },
    });
    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'audit.retention.completed',
        actorType: 'system',
        actorIdentifier: 'audit-cleanup-worker',
        metadata: expect.objectContaining({ event_id: ports.db.outbox[0]?.id }),
      }),
    ]);
  });

  it('stops after the batch in flight when asked, and records no completion', async () => {
    const store = new FakeRetentionStore({ audit_logs: 10, refresh_tokens: 0, sessions: 0, outbox_events: 0 });
    let batches = 0;
    const outcome = await purge(store).execute({ dryRun: false, shouldStop: () => batches >= 2, onBatch: () => (batches += 1) });
    expect(outcome).toMatchObject({ status: 'interrupted', deleted: { audit_logs: 4 } });
    expect(ports.db.outbox).toEqual([]);
    expect(ports.db.audit).toEqual([]);
  });

  it('writes neither the event nor the audit row when the outbox write fails', async () => {
    const store = new FakeRetentionStore({ audit_logs: 1, refresh_tokens: 0, sessions: 0, outbox_events: 0 });
    ports.db.failOutboxWith(new Error('outbox down'));
    await expect(purge(store).execute({ dryRun: false })).rejects.toThrow('outbox down');
    expect(ports.db.audit).toEqual([]);
  });
});
