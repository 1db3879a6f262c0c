import { randomUUID } from 'node:crypto';
import { createTestDatabase, withPgClient, type TestDatabase } from '@pandora/testing';
import { createRepositories, Database, PgAuditLogWriter } from '../src';
import { newUser } from './support/users';

/**
 * Timestamps must mean the same instant whatever TimeZone the database server or role is set to
 * (a managed PostgreSQL in another region, a DBA's ALTER DATABASE … SET timezone), with no
 * start-up parameter to fix it: a transaction-pooling PgBouncer refuses those.
 */
let db: TestDatabase;
let database: Database;
beforeAll(async () => {
  db = await createTestDatabase();
  await withPgClient(db.url, (client) => client.query(`ALTER DATABASE "${db.name}" SET timezone = 'Asia/Tokyo'`));
  database = new Database({ url: db.url, poolMax: 2, applicationName: 'timezone-tests' });
});
afterAll(async () => {
  await database.close();
  await db.drop();
});

describe('the database access on a database whose TimeZone is not UTC', () => {
  it('runs in a session whose TimeZone really is not UTC (so the test proves something)', async () => {
    const { rows } = await database.query<{ zone: string }>('SELECT current_setting($1) AS zone', ['TimeZone']);
    expect(rows[0]?.zone).toBe('Asia/Tokyo');
  });

  it('compares Date parameters and reads timestamptz values as the instants they are', async () => {
    const instant = new Date('2026-01-01T00:00:00.000Z');
    const { rows } = await database.query<{ same: boolean; now: Date; back: Date }>(
      `SELECT $1::timestamptz = '2026-01-01T00:00:00Z'::timestamptz AS same, now() AS now, $1::timestamptz AS back`,
      [instant],
    );
    expect(rows[0]?.same).toBe(true);
    expect(rows[0]?.back).toEqual(instant);
    expect(Math.abs((rows[0]?.now.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('stores and reads a user’s timestamps to the millisecond, in and outside a transaction', async () => {
    const createdAt = new Date('2026-03-04T05:06:07.089Z');
    const created = newUser({ createdAt });
    await database.transaction((tx) => createRepositories(tx).users.create(created));
    const user = await createRepositories(database).users.findById(created.id);
    expect(user?.createdAt).toEqual(createdAt);
    expect(user?.updatedAt).toEqual(createdAt);
  });

  it('keeps the retention period it is given, to the millisecond (the database dates the row itself)', async () => {
    const id = randomUUID();
    const retentionUntil = new Date('2033-05-06T07:08:09.123Z');
    const createdAt = new Date('2026-01-01T00:00:00.000Z');
    await new PgAuditLogWriter(database).append({
      id,
      eventType: 'user.registered',
      eventCategory: 'user',
      severity: 'info',
      userId: null,
      actorType: 'system',
      actorIdentifier: null,
      action: 'register',
      resourceType: null,
      resourceId: null,
      ipAddress: null,
      userAgent: null,
      requestId: null,
      sessionId: null,
      metadata: null,
      previousState: null,
      newState: null,
      status: 'success',
      failureReason: null,
      retentionUntil,
      isSensitive: false,
      createdAt,
    });
    const [row] = await withPgClient(
      db.url,
      async (client) =>
        (
          await client.query(
            'SELECT (extract(epoch FROM retention_until) - extract(epoch FROM created_at)) * 1000 AS period_ms FROM audit_logs WHERE id = $1',
            [id],
          )
        ).rows,
    );
    // created_at is the database's now() (docs/audit-trail.md#immutable); the period survives exactly.
    expect(Number(row.period_ms)).toBe(retentionUntil.getTime() - createdAt.getTime());
  });
});
