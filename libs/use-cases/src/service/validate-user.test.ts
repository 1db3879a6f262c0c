import { createFakePorts, seedUser } from '../testing';
import { ValidateUser } from './validate-user';

describe('ValidateUser', () => {
  it('answers valid and active with the KYC status for an existing user', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports, { kycStatus: 'verified' });
    expect(await new ValidateUser(ports).execute(user.id)).toEqual({ isValid: true, isActive: true, kycStatus: 'verified' });
  });

  it('answers a deleted user exactly like an unknown one, revealing nothing', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports, { kycStatus: 'verified' });
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    const deleted = await new ValidateUser(ports).execute(user.id);
    const unknown = await new ValidateUser(ports).execute('00000000-0000-4000-8000-999999999999');
    expect(deleted).toEqual({ isValid: false, isActive: false, kycStatus: null });
    expect(unknown).toEqual(deleted);
  });
});
