import { status as Status } from '@grpc/grpc-js';
import { users } from '@pandora/data-access';
import type { UserServiceClient } from '@pandora/grpc-contract';
import { eventually } from '@pandora/testing';
import { failure, invoke, seedUser, startTestUserGrpc, type TestUserGrpc } from './support/test-user-grpc';

/**
 * GetUser through the read cache (docs/caching.md), with two user-grpc replicas on one database: a
 * change through one replica, or straight into the database, is what the other answers within 1 s;
 * the replica that made it answers it at once.
 */
let replicaA: TestUserGrpc;
let replicaB: TestUserGrpc;
let clientA: UserServiceClient;
let clientB: UserServiceClient;

beforeAll(async () => {
  replicaA = await startTestUserGrpc();
  replicaB = await startTestUserGrpc({ db: replicaA.db });
  clientA = replicaA.client();
  clientB = replicaB.client();
});
afterAll(async () => {
  await replicaB.stop();
  await replicaA.stop();
});

const getUser = (client: UserServiceClient, userId: string) => invoke(client.getUser.bind(client), { userId });

/** Milliseconds until `probe` holds (the deadline, 1 s plus one call on a loaded machine, fails the test). */
async function within(probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  await eventually(async () => (await probe()) || undefined, 'the change to reach the other replica', 1_500, 10);
  return Date.now() - started;
}

describe('GetUser through the read cache', () => {
  it('shows a KYC change made through replica A at once on A and within 1 s on B', async () => {
    const user = await seedUser(replicaA.rows, { kycStatus: 'pending' });
    expect((await getUser(clientA, user.id)).response.user?.kycStatus).toBe('pending');
    expect((await getUser(clientB, user.id)).response.user?.kycStatus).toBe('pending');
    await invoke(clientA.updateKycStatus.bind(clientA), { userId: user.id, kycStatus: 'verified', updatedBy: '' });
    expect((await getUser(clientA, user.id)).response.user?.kycStatus).toBe('verified');
    expect(await within(async () => (await getUser(clientB, user.id)).response.user?.kycStatus === 'verified')).toBeLessThanOrEqual(1_000);
  });

  it('answers NOT_FOUND within 1 s for a user deleted straight in the database, whatever the case of the id asked for', async () => {
    const user = await seedUser(replicaA.rows);
    await getUser(clientB, user.id);
    await getUser(clientB, user.id.toUpperCase());
    await replicaA.rows.update(users, { id: user.id }, { deletedAt: new Date() });
    for (const asked of [user.id, user.id.toUpperCase()]) {
      const elapsed = await within(async () => (await failure(getUser(clientB, asked)).catch(() => null))?.code === Status.NOT_FOUND);
      expect(elapsed).toBeLessThanOrEqual(1_000);
    }
  });

  it('answers ValidateUser from the same entry: a frozen account is inactive within 1 s', async () => {
    const user = await seedUser(replicaA.rows);
    const validate = () => invoke(clientB.validateUser.bind(clientB), { userId: user.id });
    expect((await validate()).response.isActive).toBe(true);
    await replicaA.rows.update(users, { id: user.id }, { frozenAt: new Date() });
    expect(await within(async () => (await validate()).response.isActive === false)).toBeLessThanOrEqual(1_000);
  });
});
