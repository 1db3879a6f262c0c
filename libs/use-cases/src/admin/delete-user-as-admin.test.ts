import { CONTEXT, createFakePorts, seedUser, signIn } from '../testing';
import { DeleteUserAsAdmin } from './delete-user-as-admin';

describe('DeleteUserAsAdmin', () => {
  it('deletes the user, recorded with the signed-in administrator as the actor', async () => {
    const ports = createFakePorts();
    const { principal } = await signIn(ports, await seedUser(ports, { role: 'admin', email: 'root@example.com' }));
    const user = await seedUser(ports);
    await new DeleteUserAsAdmin(ports).execute(principal, { userId: user.id }, CONTEXT);
    expect(await ports.repositories.users.findById(user.id)).toBeNull();
    expect(ports.db.audit[0]).toMatchObject({ actorType: 'admin', actorIdentifier: 'root@example.com', sessionId: principal.sessionId });
  });

  it('refuses an administrator deleting their own account', async () => {
    const ports = createFakePorts();
    const { principal } = await signIn(ports, await seedUser(ports, { role: 'admin' }));
    await expect(new DeleteUserAsAdmin(ports).execute(principal, { userId: principal.userId }, CONTEXT)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
