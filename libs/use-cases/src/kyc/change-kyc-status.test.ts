import type { KycChangeActor, KycStatus } from '@pandora/domain';
import { CONTEXT, createFakePorts, eventTypes, seedUser, type FakePorts } from '../testing';
import { ChangeKycStatus } from './change-kyc-status';

const STATUSES: KycStatus[] = ['pending', 'verified', 'rejected'];
/** The moves each actor may make; every other move between two different statuses is refused. */
const ALLOWED: Record<KycChangeActor, string[]> = {
  user: ['rejected→pending'],
  admin: ['pending→verified', 'pending→rejected', 'verified→rejected', 'rejected→pending'],
  service: ['pending→verified', 'pending→rejected', 'verified→rejected'],
};
const MOVES = STATUSES.flatMap((from) => STATUSES.filter((to) => to !== from).map((to) => [from, to] as const));
const CASES = (Object.keys(ALLOWED) as KycChangeActor[]).flatMap((as) =>
  MOVES.map(([from, to]) => [as, from, to, ALLOWED[as].includes(`${from}→${to}`)] as const),
);

describe('ChangeKycStatus', () => {
  let ports: FakePorts;
  const actor = { type: 'service' as const, id: null, identifier: 'wallet' };

  beforeEach(() => {
    ports = createFakePorts();
  });

  it.each(CASES)('under the %s rules, %s → %s is allowed: %s', async (as, from, to, allowed) => {
    const user = await seedUser(ports, { kycStatus: from });
    const change = new ChangeKycStatus(ports).execute({ userId: user.id, status: to, as, actor }, CONTEXT);
    if (allowed) {
      expect((await change).kycStatus).toBe(to);
      expect(eventTypes(ports)).toEqual(['user.kyc.updated']);
    } else {
      await expect(change).rejects.toMatchObject({ code: 'INVALID_KYC_TRANSITION' });
      expect((await ports.repositories.users.findById(user.id))?.kycStatus).toBe(from);
      expect(ports.db.audit).toEqual([]);
    }
  });

  it('records old and new status in the audit row and the event, with the caller’s extra facts', async () => {
    const user = await seedUser(ports);
    await new ChangeKycStatus(ports).execute(
      { userId: user.id, status: 'verified', as: 'service', actor, auditMetadata: { caller: 'wallet' } },
      CONTEXT,
    );
    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'user.kyc.updated',
        actorType: 'service',
        actorIdentifier: 'wallet',
        previousState: { kyc_status: 'pending' },
        newState: { kyc_status: 'verified' },
        metadata: { caller: 'wallet', rules: 'service' },
      }),
    ]);
    expect(ports.db.outbox[0]?.payload).toEqual({ email: user.email, kyc_status: 'verified', old_status: 'pending' });
  });

  it('treats the current status as a no-op: no audit row, no event', async () => {
    const user = await seedUser(ports, { kycStatus: 'verified' });
    expect((await new ChangeKycStatus(ports).execute({ userId: user.id, status: 'verified', as: 'admin', actor }, CONTEXT)).kycStatus).toBe(
      'verified',
    );
    expect(ports.db.audit).toEqual([]);
    expect(eventTypes(ports)).toEqual([]);
  });

  it('keeps the old status when the outbox write fails', async () => {
    const user = await seedUser(ports);
    ports.db.failOutboxWith(new Error('outbox down'));
    await expect(
      new ChangeKycStatus(ports).execute({ userId: user.id, status: 'verified', as: 'admin', actor }, CONTEXT),
    ).rejects.toThrow();
    expect((await ports.repositories.users.findById(user.id))?.kycStatus).toBe('pending');
    expect(ports.db.audit).toEqual([]);
  });

  it('answers USER_NOT_FOUND for a deleted user', async () => {
    const user = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await expect(
      new ChangeKycStatus(ports).execute({ userId: user.id, status: 'verified', as: 'admin', actor }, CONTEXT),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});
