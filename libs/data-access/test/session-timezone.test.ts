import { randomUUID } from 'node:crypto';
import { createTestDatabase, withPgClient, type TestDatabase } from '@pandora/testing';
import { createPrismaClient, PrismaAuditLogWriter, type PrismaClient } from '../src';

/**
 * Timestamps must mean the same instant whatever TimeZone the database server or role is set to
 * (a managed PostgreSQL in another region, a DBA's ALTER DATABASE … SET timezone).
 */
let db: TestDatabase;
let prisma: PrismaClient;
beforeAll(async () => {
  db = await createTestDatabase();
  await withPgClient(db.url, (client) => client.query(`ALTER DATABASE "${db.name}" SET timezone = 'Asia/Tokyo'`));
  prisma = createPrismaClient({ url: db.url, poolMax: 1, applicationName: 'timezone-tests' });
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

describe('the Prisma client on a database whose TimeZone is not UTC', () => {
  it('compares Date parameters and reads timestamptz values as the instants they are', async () => {
    const instant = new Date('2026-01-01T00:00:00.000Z');
    const rows = await prisma.$queryRaw<Array<{ same: boolean; now: Date }>>`
      SELECT ${instant}::timestamptz = '2026-01-01T00:00:00Z'::timestamptz AS same, now() AS now`;
    expect(rows[0]?.same).toBe(true);
    expect(Math.abs((rows[0]?.now.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('stores the retention_until it is given, to the millisecond', async () => {
    const id = randomUUID();
    const retentionUntil = new Date('2033-05-06T07:08:09.123Z');
    await new PrismaAuditLogWriter(prisma).append({
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
      createdAt: new Date('2026-01-01T00:00:00.000Z'),
    });
    const [row] = await withPgClient(
      db.url,
      async (client) =>
        (
          await client.query(
            'SELECT to_char(retention_until AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\') AS iso FROM audit_logs WHERE id = $1',
            [id],
          )
        ).rows,
    );
    expect(row.iso).toBe('2033-05-06T07:08:09.123Z');
  });
});
