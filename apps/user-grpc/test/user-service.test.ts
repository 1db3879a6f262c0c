import { status as Status } from '@grpc/grpc-js';
import { users } from '@pandora/data-access';
import type { UserServiceClient } from '@pandora/grpc-contract';
import { withPgClient } from '@pandora/testing';
import { errorCodeOf, failure, invoke, seedUser, startTestUserGrpc, type TestUserGrpc } from './support/test-user-grpc';

/** Every UserService RPC over a real connection with the generated client, against PostgreSQL. */
let grpc: TestUserGrpc;
let client: UserServiceClient;

beforeAll(async () => {
  grpc = await startTestUserGrpc();
  client = grpc.client();
});
afterAll(() => grpc.stop());

const UNKNOWN_ID = '3f1e5c9a-6b2d-4c8e-9f7a-1b2c3d4e5f60';
const BAD_IDS: Array<[string, string]> = [
  ['empty', ''],
  ['a word', 'not-a-uuid'],
  ['a UUID without dashes', '3f1e5c9a6b2d4c8e9f7a1b2c3d4e5f60'],
  ['SQL', "' OR 1=1 --"],
  ['10,000 characters long', 'x'.repeat(10_000)],
];

describe('GetUser', () => {
  it('returns an active user with every field of the message', async () => {
    const seeded = await seedUser(grpc.rows, { firstName: 'Grace', lastName: 'Hopper', kycStatus: 'verified' });
    const row = await grpc.rows.one(users, { id: seeded.id });

    const { response } = await invoke(client.getUser.bind(client), { userId: seeded.id });

    expect(response.user).toEqual({
      id: seeded.id,
      email: seeded.email,
      firstName: 'Grace',
      lastName: 'Hopper',
      kycStatus: 'verified',
      role: 'user',
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      deletedAt: undefined,
      emailVerified: false,
      mfaEnabled: false,
    });
  });

  it('accepts an upper-case UUID and answers with the lower-case id', async () => {
    const seeded = await seedUser(grpc.rows);
    const { response } = await invoke(client.getUser.bind(client), { userId: seeded.id.toUpperCase() });
    expect(response.user?.id).toBe(seeded.id);
  });

  it.each(BAD_IDS)('answers INVALID_ARGUMENT for a user_id that is %s', async (_label, userId) => {
    const error = await failure(invoke(client.getUser.bind(client), { userId }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('user_id: must be a UUID');
    expect(errorCodeOf(error)).toBe('INVALID_INPUT');
  });

  it('answers NOT_FOUND for an unknown user', async () => {
    const error = await failure(invoke(client.getUser.bind(client), { userId: UNKNOWN_ID }));
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(errorCodeOf(error)).toBe('USER_NOT_FOUND');
  });

  it('answers NOT_FOUND for a deleted user', async () => {
    const deleted = await seedUser(grpc.rows, { deletedAt: new Date() });
    const error = await failure(invoke(client.getUser.bind(client), { userId: deleted.id }));
    expect(error.code).toBe(Status.NOT_FOUND);
  });
});

describe('GetUserByEmail', () => {
  it('finds the active user whatever the case and surrounding spaces of the email', async () => {
    const seeded = await seedUser(grpc.rows);
    const { response } = await invoke(client.getUserByEmail.bind(client), { email: `  ${seeded.email.toUpperCase()} ` });
    expect(response.user?.id).toBe(seeded.id);
    expect(response.user?.email).toBe(seeded.email);
  });

  it('answers NOT_FOUND for a deleted user, and finds the active account that took the email over', async () => {
    const deleted = await seedUser(grpc.rows, { deletedAt: new Date() });
    expect((await failure(invoke(client.getUserByEmail.bind(client), { email: deleted.email }))).code).toBe(Status.NOT_FOUND);

    const successor = await seedUser(grpc.rows, { email: deleted.email });
    const { response } = await invoke(client.getUserByEmail.bind(client), { email: deleted.email });
    expect(response.user?.id).toBe(successor.id);
  });

  it('answers NOT_FOUND for an unknown email', async () => {
    const error = await failure(invoke(client.getUserByEmail.bind(client), { email: 'nobody.here@example.com' }));
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(errorCodeOf(error)).toBe('USER_NOT_FOUND');
  });

  it.each([
    ['empty', ''],
    ['without @', 'not-an-email'],
    ['over 254 characters', `${'a'.repeat(250)}@example.com`],
    ['with two @', 'a@b@c.com'],
    ['with a NUL byte', 'nul\u0000@example.com'],
  ])('answers INVALID_ARGUMENT for an email that is %s', async (_label, email) => {
    const error = await failure(invoke(client.getUserByEmail.bind(client), { email }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('email:');
  });
});

describe('ValidateUser', () => {
  it('reports an active user as valid and active, with its KYC status', async () => {
    const seeded = await seedUser(grpc.rows, { kycStatus: 'rejected' });
    const { response } = await invoke(client.validateUser.bind(client), { userId: seeded.id });
    expect(response).toEqual({
      isValid: true,
      isActive: true,
      kycStatus: 'rejected',
      emailVerified: false,
      mfaEnabled: false,
      securityChangedAt: undefined,
    });
  });

  it('tells whether MFA is on and when the account last had a security change', async () => {
    const seeded = await seedUser(grpc.rows);
    const changedAt = new Date('2026-11-30T08:15:00.123Z');
    await withPgClient(grpc.db.url, (sql) =>
      sql.query('UPDATE users SET mfa_enabled = true, security_changed_at = $2 WHERE id = $1', [seeded.id, changedAt]),
    );
    const { response } = await invoke(client.validateUser.bind(client), { userId: seeded.id });
    expect(response).toEqual({
      isValid: true,
      isActive: true,
      kycStatus: 'pending',
      emailVerified: false,
      mfaEnabled: true,
      securityChangedAt: changedAt,
    });
    expect((await invoke(client.getUser.bind(client), { userId: seeded.id })).response.user).toMatchObject({ mfaEnabled: true });
  });

  it('reports a user who froze their account as valid but not active, until it is unfrozen', async () => {
    const seeded = await seedUser(grpc.rows);
    await withPgClient(grpc.db.url, (sql) => sql.query('UPDATE users SET frozen_at = now() WHERE id = $1', [seeded.id]));
    expect((await invoke(client.validateUser.bind(client), { userId: seeded.id })).response).toMatchObject({
      isValid: true,
      isActive: false,
    });
    await withPgClient(grpc.db.url, (sql) => sql.query('UPDATE users SET frozen_at = NULL WHERE id = $1', [seeded.id]));
    expect((await invoke(client.validateUser.bind(client), { userId: seeded.id })).response).toMatchObject({
      isValid: true,
      isActive: true,
    });
  });

  it('tells whether the owner proved the address, on ValidateUser and on the User', async () => {
    const seeded = await seedUser(grpc.rows);
    await withPgClient(grpc.db.url, (sql) => sql.query('UPDATE users SET email_verified_at = now() WHERE id = $1', [seeded.id]));
    expect((await invoke(client.validateUser.bind(client), { userId: seeded.id })).response).toMatchObject({ emailVerified: true });
    expect((await invoke(client.getUser.bind(client), { userId: seeded.id })).response.user).toMatchObject({ emailVerified: true });
  });

  it('reports a deleted user as not valid, revealing nothing more than for an unknown id', async () => {
    const deleted = await seedUser(grpc.rows, { deletedAt: new Date(), kycStatus: 'verified' });
    const forDeleted = await invoke(client.validateUser.bind(client), { userId: deleted.id });
    const forUnknown = await invoke(client.validateUser.bind(client), { userId: UNKNOWN_ID });
    expect(forDeleted.response).toEqual({
      isValid: false,
      isActive: false,
      kycStatus: '',
      emailVerified: false,
      mfaEnabled: false,
      securityChangedAt: undefined,
    });
    expect(forUnknown.response).toEqual(forDeleted.response);
  });

  it('answers INVALID_ARGUMENT for a user_id that is not a UUID', async () => {
    const error = await failure(invoke(client.validateUser.bind(client), { userId: 'user-42' }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });
});

describe('ListUsers', () => {
  let listing: TestUserGrpc;
  let listingClient: UserServiceClient;
  const activeIds: string[] = [];

  beforeAll(async () => {
    // A database of its own: the counts below must not see the other tests' users.
    listing = await startTestUserGrpc();
    listingClient = listing.client();
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    for (let index = 0; index < 12; index++) {
      activeIds.push((await seedUser(listing.rows, { createdAt: new Date(base + index * 60_000) })).id);
    }
    await seedUser(listing.rows, { createdAt: new Date(base + 3_600_000), deletedAt: new Date() });
  });
  afterAll(() => listing.stop());

  const newestFirst = () => [...activeIds].reverse();

  it('returns 10 users, newest first, when limit is 0, with the total of active users', async () => {
    const { response } = await invoke(listingClient.listUsers.bind(listingClient), { limit: 0, offset: 0 });
    expect(response.total).toBe(12);
    expect(response.users.map((user) => user.id)).toEqual(newestFirst().slice(0, 10));
  });

  it('treats a negative limit like 0', async () => {
    const { response } = await invoke(listingClient.listUsers.bind(listingClient), { limit: -5, offset: 0 });
    expect(response.users).toHaveLength(10);
  });

  it('pages with limit and offset and never lists deleted users', async () => {
    const { response } = await invoke(listingClient.listUsers.bind(listingClient), { limit: 5, offset: 10 });
    expect(response.users.map((user) => user.id)).toEqual(newestFirst().slice(10));
    expect(response.total).toBe(12);
  });

  it('accepts the largest page size, 100', async () => {
    const { response } = await invoke(listingClient.listUsers.bind(listingClient), { limit: 100, offset: 0 });
    expect(response.users).toHaveLength(12);
  });

  it('answers INVALID_ARGUMENT for a limit over 100', async () => {
    const error = await failure(invoke(listingClient.listUsers.bind(listingClient), { limit: 101, offset: 0 }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('limit');
  });

  it('answers INVALID_ARGUMENT for a negative offset', async () => {
    const error = await failure(invoke(listingClient.listUsers.bind(listingClient), { limit: 10, offset: -1 }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('offset');
  });

  it('returns an empty page past the end', async () => {
    const { response } = await invoke(listingClient.listUsers.bind(listingClient), { limit: 10, offset: 2_147_483_647 });
    expect(response).toEqual({ users: [], total: 12 });
  });
});

describe('request ids', () => {
  it('echoes a sane x-request-id to the caller, on answers and on errors', async () => {
    const seeded = await seedUser(grpc.rows);
    const ok = await invoke(client.getUser.bind(client), { userId: seeded.id }, { metadata: { 'x-request-id': 'wallet-req-1' } });
    expect(ok.headers.get('x-request-id')).toEqual(['wallet-req-1']);

    const error = await failure(
      invoke(client.getUser.bind(client), { userId: UNKNOWN_ID }, { metadata: { 'x-request-id': 'wallet-req-2' } }),
    );
    expect(error.metadata.get('x-request-id')).toEqual(['wallet-req-2']);
  });

  it('replaces an insane x-request-id by a generated one', async () => {
    const seeded = await seedUser(grpc.rows);
    const { headers } = await invoke(
      client.getUser.bind(client),
      { userId: seeded.id },
      { metadata: { 'x-request-id': 'bad id with spaces' } },
    );
    expect(headers.get('x-request-id')[0]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
