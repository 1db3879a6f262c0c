import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@pandora/testing';
import { outboxEvents, users, type UserRow } from '../src';
import { TableRows } from '../src/testing';

/** The tests' row helper must mean what its calls say: every suite's assertions rest on it. */
let db: TestDatabase;
let rows: TableRows;

beforeAll(async () => {
  db = await createTestDatabase();
  rows = new TableRows(db.url, 'table-rows-tests');
});
afterAll(async () => {
  await rows.close();
  await db.drop();
});

const user = (overrides: Partial<UserRow> = {}): Partial<UserRow> => ({
  id: randomUUID(),
  email: `rows.${randomUUID().slice(0, 8)}@example.com`,
  passwordHash: 'x',
  firstName: 'Ada',
  lastName: 'Lovelace',
  ...overrides,
});

describe('TableRows', () => {
  it('inserts a row and reads it back typed, with the database defaults filled in', async () => {
    const inserted = await rows.insert(users, user({ firstName: 'Grace' }));
    expect(inserted).toMatchObject({ firstName: 'Grace', role: 'user', kycStatus: 'pending', deletedAt: null });
    expect(inserted.createdAt).toBeInstanceOf(Date);
    expect(await rows.one(users, { id: inserted.id })).toEqual(inserted);
  });

  it('matches null as IS NULL and an array as any of its values', async () => {
    const kept = await rows.insert(users, user({ lastName: 'Null-test' }));
    const gone = await rows.insert(users, user({ lastName: 'Null-test', deletedAt: new Date() }));
    expect((await rows.find(users, { lastName: 'Null-test', deletedAt: null })).map((row) => row.id)).toEqual([kept.id]);
    expect(await rows.count(users, { id: [kept.id, gone.id] })).toBe(2);
  });

  it('sorts outbox rows by seq as numbers, not as their text', async () => {
    const aggregateId = randomUUID();
    for (let index = 0; index < 12; index++) {
      await rows.insert(outboxEvents, {
        id: randomUUID(),
        eventType: `order.${index}`,
        aggregateId,
        payload: {},
        metadata: {},
        occurredAt: new Date(),
      });
    }
    const found = await rows.find(outboxEvents, { aggregateId }, { orderBy: 'seq' });
    expect(found.map((row) => row.eventType)).toEqual(Array.from({ length: 12 }, (_, index) => `order.${index}`));
    expect((await rows.first(outboxEvents, { aggregateId }, { orderBy: 'seq', descending: true }))?.eventType).toBe('order.11');
  });

  it('refuses `one` when no row or several rows match', async () => {
    await rows.insert(users, user({ lastName: 'Twin' }));
    await rows.insert(users, user({ lastName: 'Twin' }));
    await expect(rows.one(users, { lastName: 'Twin' })).rejects.toThrow(/expected one users row .* found several/);
    await expect(rows.one(users, { id: randomUUID() })).rejects.toThrow(/found none/);
  });

  it('updates the matching rows only', async () => {
    const target = await rows.insert(users, user());
    const other = await rows.insert(users, user());
    expect(await rows.update(users, { id: target.id }, { kycStatus: 'verified' })).toBe(1);
    expect((await rows.one(users, { id: target.id })).kycStatus).toBe('verified');
    expect((await rows.one(users, { id: other.id })).kycStatus).toBe('pending');
  });
});
