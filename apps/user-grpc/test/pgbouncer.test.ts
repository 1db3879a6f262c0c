import { auditLogs, users } from '@pandora/data-access';
import type { UserServiceClient } from '@pandora/grpc-contract';
import { createTestDatabase, PrivatePgBouncer, readInfrastructure, withPgClient, type TestDatabase } from '@pandora/testing';
import { invoke, seedUser, startTestUserGrpc, type TestUserGrpc } from './support/test-user-grpc';

/**
 * user-grpc with DATABASE_URL pointing at a real PgBouncer in transaction pooling mode (no start-up
 * parameter accepted, two server connections), in front of a database in Asia/Tokyo: reads, the
 * KYC change with its audit row, and the listing behave as on a direct connection.
 */
let db: TestDatabase;
let bouncer: PrivatePgBouncer;
let grpc: TestUserGrpc;
let client: UserServiceClient;

beforeAll(async () => {
  db = await createTestDatabase();
  await withPgClient(db.url, (pgClient) => pgClient.query(`ALTER DATABASE "${db.name}" SET timezone TO 'Asia/Tokyo'`));
  bouncer = await PrivatePgBouncer.start({ upstreamUrl: readInfrastructure().adminDatabaseUrl, poolMode: 'transaction', poolSize: 2 });
  grpc = await startTestUserGrpc({ db, env: { DATABASE_URL: bouncer.url(db.name), DATABASE_DIRECT_URL: db.url } });
  client = grpc.client();
}, 60_000);
afterAll(async () => {
  await grpc?.stop();
  await bouncer?.destroy();
  await db?.drop();
});

describe('user-grpc behind a transaction-pooling PgBouncer', () => {
  it('gets, validates, lists and changes the KYC status of users, with exact timestamps', async () => {
    const createdAt = new Date('2026-03-01T23:45:00.250Z');
    const seeded = await seedUser(grpc.rows, { createdAt });

    const got = await invoke(client.getUser.bind(client), { userId: seeded.id });
    expect(got.response.user).toMatchObject({ id: seeded.id, createdAt, kycStatus: 'pending' });
    expect((await invoke(client.validateUser.bind(client), { userId: seeded.id })).response).toMatchObject({
      isValid: true,
      isActive: true,
    });
    const listed = await invoke(client.listUsers.bind(client), { limit: 100, offset: 0 });
    expect(listed.response.users.map((user) => user.id)).toContain(seeded.id);

    const changed = await invoke(client.updateKycStatus.bind(client), {
      userId: seeded.id,
      kycStatus: 'verified',
      updatedBy: 'pooled-workflow',
    });
    expect(changed.response.user).toMatchObject({ id: seeded.id, kycStatus: 'verified' });
    const row = await grpc.rows.one(users, { id: seeded.id });
    expect(row.kycStatus).toBe('verified');
    expect(changed.response.user?.updatedAt).toEqual(row.updatedAt);
    expect(await grpc.rows.count(auditLogs, { userId: seeded.id, eventType: 'user.kyc.updated' })).toBe(1);
  });
});
