import { randomUUID } from 'node:crypto';
import { createTestDatabase, withPgClient, type TestDatabase } from '@pandora/testing';
import { OutboxConnection, outboxEvents, RELAY_LEADER_LOCK_KEY, type OutboxConnectionOptions } from '../src';
import { TableRows } from '../src/testing';

/** The relay's session on real PostgreSQL: the leader lease (exclusive, freed with the session, per database) and the outbox SQL. */
let db: TestDatabase;
let other: TestDatabase;
const open: OutboxConnection[] = [];

beforeAll(async () => {
  [db, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((connection) => connection.close()));
});
afterAll(async () => {
  await Promise.all([db.drop(), other.drop()]);
});

async function connect(url: string, overrides: Partial<OutboxConnectionOptions> = {}): Promise<OutboxConnection> {
  const connection = await OutboxConnection.open({
    url,
    statementTimeoutMs: 5_000,
    idleSessionTimeoutMs: 60_000,
    onNotification: () => undefined,
    onLost: () => undefined,
    ...overrides,
  });
  open.push(connection);
  return connection;
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
}

describe('the leader lease', () => {
  it('keeps the key earlier versions computed in SQL, so that old and new relays exclude each other during a rollout', async () => {
    const { rows } = await withPgClient(db.url, (client) =>
      client.query<{ key: string }>("SELECT hashtextextended('pandora:event-relay:leader', 0)::text AS key"),
    );
    expect(RELAY_LEADER_LOCK_KEY).toEqual({ bigint: rows[0]?.key });
  });

  it('is held by one session at a time and freed when that session ends', async () => {
    const [first, second] = [await connect(db.url), await connect(db.url)];
    expect(await first.tryAcquireLease()).toBe(true);
    expect(await second.tryAcquireLease()).toBe(false);
    await first.close();
    expect(await second.tryAcquireLease()).toBe(true);
  });

  it('is freed by an explicit release', async () => {
    const [first, second] = [await connect(db.url), await connect(db.url)];
    expect(await first.tryAcquireLease()).toBe(true);
    await first.releaseLease();
    expect(await second.tryAcquireLease()).toBe(true);
  });

  it('is lost by a holder that stays silent past the idle limit (the server ends its session)', async () => {
    let lost: Error | null = null;
    const silent = await connect(db.url, { idleSessionTimeoutMs: 1_000, onLost: (error) => (lost = error) });
    const standby = await connect(db.url);
    expect(await silent.tryAcquireLease()).toBe(true);
    expect(await standby.tryAcquireLease()).toBe(false);
    await until(() => lost !== null, 'the server to end the idle session');
    expect(await standby.tryAcquireLease()).toBe(true);
  });

  it('belongs to one database: relays of two databases both lead', async () => {
    const [here, there] = [await connect(db.url), await connect(other.url)];
    expect(await here.tryAcquireLease()).toBe(true);
    expect(await there.tryAcquireLease()).toBe(true);
  });
});

describe('the outbox reads', () => {
  it('hand the oldest unpublished rows, in seq order, to the leaseholder only', async () => {
    const rows = new TableRows(db.url, 'outbox-connection-tests');
    try {
      const aggregateId = randomUUID();
      for (let index = 0; index < 12; index++) {
        await rows.insert(outboxEvents, {
          id: randomUUID(),
          eventType: `e.${index}`,
          aggregateId,
          payload: { index },
          metadata: {},
          occurredAt: new Date(),
        });
      }
      const [leader, standby] = [await connect(db.url), await connect(db.url)];
      expect(await leader.tryAcquireLease()).toBe(true);
      expect(await standby.tryAcquireLease()).toBe(false);

      expect(await standby.fetchUnpublished(100)).toEqual([]);
      const batch = await leader.fetchUnpublished(100);
      expect(batch.map((row) => row.eventType)).toEqual(Array.from({ length: 12 }, (_, index) => `e.${index}`));
      expect(batch[3]).toEqual({
        id: expect.any(String),
        seq: expect.stringMatching(/^\d+$/),
        eventType: 'e.3',
        aggregateId,
        payload: { index: 3 },
        metadata: {},
        occurredAt: expect.any(Date),
      });

      const marked = await leader.markPublished(batch.slice(0, 10).map((row) => row.id));
      expect(marked).toHaveLength(10);
      expect(await leader.markPublished(batch.slice(0, 1).map((row) => row.id))).toEqual([]);
      expect((await leader.fetchUnpublished(100)).map((row) => row.eventType)).toEqual(['e.10', 'e.11']);

      await leader.releaseLease();
      expect(await leader.fetchUnpublished(100)).toEqual([]);
    } finally {
      await rows.close();
    }
  });
});

describe('the session settings', () => {
  it('bound every statement with a SET statement_timeout on the session itself (no start-up parameter)', async () => {
    const rows = new TableRows(db.url, 'outbox-connection-tests');
    const blocker = await rows.db.pool.connect();
    try {
      const id = randomUUID();
      await rows.insert(outboxEvents, { id, eventType: 'e.locked', aggregateId: null, payload: {}, metadata: {}, occurredAt: new Date() });
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM outbox_events WHERE id = $1::uuid FOR UPDATE', [id]);
      const session = await connect(db.url, { statementTimeoutMs: 300 });
      // Stuck behind the row lock: the server cancels it after 300 ms.
      await expect(session.markPublished([id])).rejects.toMatchObject({ code: '57014' });
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
      await rows.close();
    }
  });
});
