import { createFakePorts, seedUser, signIn } from '../testing';
import { GetCurrentUser } from './get-current-user';

describe('GetCurrentUser', () => {
  it('returns the caller’s account', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports, { firstName: 'Grace' });
    const { principal } = await signIn(ports, user);
    expect(await new GetCurrentUser(ports).execute(principal)).toEqual(user);
  });

  it('answers USER_NOT_FOUND once the account is deleted', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await expect(new GetCurrentUser(ports).execute(principal)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});
