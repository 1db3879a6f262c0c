import { CONTEXT, createFakePorts, seedMfaUser, seedUser, signIn, totpCode } from '../testing';
import { GetMfaStatus } from './get-mfa-status';
import { requireSecondFactor } from './second-factor';
import { RegenerateRecoveryCodes } from './regenerate-recovery-codes';

describe('GetMfaStatus', () => {
  it('says TOTP is off and no codes are left for an account without MFA', async () => {
    const ports = createFakePorts();
    const { principal } = await signIn(ports, await seedUser(ports));
    expect(await new GetMfaStatus(ports).execute(principal)).toEqual({ totpEnabled: false, recoveryCodesRemaining: 0 });
  });

  it('counts the recovery codes not used yet', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    const { principal } = await signIn(ports, user);
    const { recoveryCodes } = await new RegenerateRecoveryCodes(ports).execute(principal, { code: totpCode(ports) }, CONTEXT);
    await requireSecondFactor(ports, ports.repositories, user, recoveryCodes[3], CONTEXT);
    expect(await new GetMfaStatus(ports).execute(principal)).toEqual({ totpEnabled: true, recoveryCodesRemaining: 9 });
  });

  it('answers USER_NOT_FOUND for a deleted account', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await expect(new GetMfaStatus(ports).execute(principal)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});
