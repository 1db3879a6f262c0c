import { createFakePorts, seedMfaUser, seedUser } from '../testing';
import { ValidateUser } from './validate-user';

describe('ValidateUser', () => {
  it('answers valid and active with the KYC status for an existing user', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports, { kycStatus: 'verified' });
    expect(await new ValidateUser(ports).execute(user.id)).toEqual({
      isValid: true,
      isActive: true,
      kycStatus: 'verified',
      emailVerified: false,
      mfaEnabled: false,
      securityChangedAt: null,
    });
  });

  it('says whether TOTP is on and when the account’s security last changed', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    const changedAt = ports.clock.now();
    await ports.db.run((repositories) => repositories.users.update(user.id, { securityChangedAt: changedAt }, changedAt));
    expect(await new ValidateUser(ports).execute(user.id)).toMatchObject({ isValid: true, mfaEnabled: true, securityChangedAt: changedAt });
  });

  it('answers valid but not active while the owner has frozen the account', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.update(user.id, { frozenAt: ports.clock.now() }, ports.clock.now()));
    expect(await new ValidateUser(ports).execute(user.id)).toMatchObject({ isValid: true, isActive: false });
  });

  it('says whether the owner proved the current address', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.update(user.id, { emailVerifiedAt: ports.clock.now() }, ports.clock.now()));
    expect(await new ValidateUser(ports).execute(user.id)).toMatchObject({ isValid: true, emailVerified: true });
  });

  it('answers a deleted user exactly like an unknown one, revealing nothing', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports, { kycStatus: 'verified' });
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    const deleted = await new ValidateUser(ports).execute(user.id);
    const unknown = await new ValidateUser(ports).execute('00000000-0000-4000-8000-999999999999');
    expect(deleted).toEqual({
      isValid: false,
      isActive: false,
      kycStatus: null,
      emailVerified: false,
      mfaEnabled: false,
      securityChangedAt: null,
    });
    expect(unknown).toEqual(deleted);
  });
});
