import { CONTEXT, createFakePorts, seedUser, signIn, type FakePorts } from '../testing';
import { DeleteOwnAccount } from './delete-own-account';

describe('DeleteOwnAccount', () => {
  let ports: FakePorts;

  beforeEach(() => {
    ports = createFakePorts();
  });

  it('deletes the caller’s account, recorded with the caller as a user actor and their session', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await new DeleteOwnAccount(ports).execute(principal, CONTEXT);

    expect(await ports.repositories.users.findById(user.id)).toBeNull();
    expect(ports.db.audit[0]).toMatchObject({ actorType: 'user', actorIdentifier: user.email, sessionId: principal.sessionId });
    expect(ports.db.outbox[0]?.metadata).toMatchObject({ actor_type: 'user', actor_id: user.id });
  });

  it('refuses an administrator deleting their own account', async () => {
    const admin = await seedUser(ports, { role: 'admin' });
    const { principal } = await signIn(ports, admin);
    await expect(new DeleteOwnAccount(ports).execute(principal, CONTEXT)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
