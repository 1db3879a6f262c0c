import { createTestDatabase, type TestDatabase } from '@pandora/testing';
import { OutboxConnection, type OutboxConnectionOptions } from '../src/relay/outbox-connection';
import { eventually } from './support/stream';

/** The leader lease on real PostgreSQL: exclusive, freed with the session, per database. */
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

describe('the leader lease', () => {
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
    await eventually(async () => lost !== null, 'the server to end the idle session', 15_000);
    expect(await standby.tryAcquireLease()).toBe(true);
  });

  it('belongs to one database: relays of two databases both lead', async () => {
    const [here, there] = [await connect(db.url), await connect(other.url)];
    expect(await here.tryAcquireLease()).toBe(true);
    expect(await there.tryAcquireLease()).toBe(true);
  });
});
