import { CONTEXT, createFakePorts, seedUser, signIn } from '../testing';
import { ChangeOwnKycStatus } from './change-own-kyc-status';

describe('ChangeOwnKycStatus', () => {
  it('lets a user resubmit a rejected application, recorded with them as the actor and user rules', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports, { kycStatus: 'rejected' });
    const { principal } = await signIn(ports, user);
    expect((await new ChangeOwnKycStatus(ports).execute(principal, { status: 'pending' }, CONTEXT)).kycStatus).toBe('pending');
    expect(ports.db.audit[0]).toMatchObject({
      actorType: 'user',
      actorIdentifier: user.email,
      sessionId: principal.sessionId,
      metadata: { rules: 'user' },
    });
  });

  it('refuses a user verifying themself, even an administrator on their own account', async () => {
    const ports = createFakePorts();
    const admin = await seedUser(ports, { role: 'admin' });
    const { principal } = await signIn(ports, admin);
    await expect(new ChangeOwnKycStatus(ports).execute(principal, { status: 'verified' }, CONTEXT)).rejects.toMatchObject({
      code: 'INVALID_KYC_TRANSITION',
    });
  });
});
