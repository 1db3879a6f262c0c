import { CONTEXT, createFakePorts, seedUser, signIn, type FakePorts } from '../testing';
import { ChangeKycStatusAsAdmin } from './change-kyc-status-as-admin';

describe('ChangeKycStatusAsAdmin', () => {
  let ports: FakePorts;

  beforeEach(() => {
    ports = createFakePorts();
  });

  async function admin() {
    return (await signIn(ports, await seedUser(ports, { role: 'admin', email: 'compliance@example.com' }))).principal;
  }

  it.each([
    ['pending', 'verified'],
    ['pending', 'rejected'],
    ['verified', 'rejected'],
    ['rejected', 'pending'],
  ] as const)('lets compliance move KYC from %s to %s', async (from, to) => {
    const user = await seedUser(ports, { kycStatus: from });
    const changed = await new ChangeKycStatusAsAdmin(ports).execute(await admin(), { userId: user.id, status: to }, CONTEXT);
    expect(changed.kycStatus).toBe(to);
  });

  it('refuses verified → pending as INVALID_KYC_TRANSITION', async () => {
    const user = await seedUser(ports, { kycStatus: 'verified' });
    await expect(
      new ChangeKycStatusAsAdmin(ports).execute(await admin(), { userId: user.id, status: 'pending' }, CONTEXT),
    ).rejects.toMatchObject({ code: 'INVALID_KYC_TRANSITION' });
  });

  it('refuses an administrator’s own KYC with FORBIDDEN and records nothing', async () => {
    const principal = await admin();
    await expect(
      new ChangeKycStatusAsAdmin(ports).execute(principal, { userId: principal.userId, status: 'verified' }, CONTEXT),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await ports.repositories.users.findById(principal.userId))?.kycStatus).toBe('pending');
    expect(ports.db.audit).toEqual([]);
    expect(ports.db.outbox).toEqual([]);
  });

  it('records the signed-in administrator as the actor, with the admin rules', async () => {
    const principal = await admin();
    const user = await seedUser(ports);
    await new ChangeKycStatusAsAdmin(ports).execute(principal, { userId: user.id, status: 'verified' }, CONTEXT);
    expect(ports.db.audit[0]).toMatchObject({
      actorType: 'admin',
      actorIdentifier: 'compliance@example.com',
      sessionId: principal.sessionId,
      metadata: { rules: 'admin' },
    });
    expect(ports.db.outbox[0]?.metadata).toMatchObject({ actor_type: 'admin', actor_id: principal.userId });
  });

  it('answers the admin view, with the user’s login lock', async () => {
    const user = await seedUser(ports);
    const until = new Date(ports.clock.now().getTime() + 60_000);
    ports.loginThrottle.locks.set(user.email, until);
    const changed = await new ChangeKycStatusAsAdmin(ports).execute(await admin(), { userId: user.id, status: 'verified' }, CONTEXT);
    expect(changed.lockedUntil).toEqual(until);
  });
});
