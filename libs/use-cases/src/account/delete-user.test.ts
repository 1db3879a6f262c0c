import { CONTEXT, createFakePorts, eventTypes, seedUser, signIn, type FakePorts } from '../testing';
import { DeleteUser } from './delete-user';

describe('DeleteUser', () => {
  let ports: FakePorts;
  let deleteUser: DeleteUser;

  beforeEach(() => {
    ports = createFakePorts();
    deleteUser = new DeleteUser(ports);
  });

  it('soft-deletes the account: it stays for the audit trail but is no longer found', async () => {
    const user = await seedUser(ports);
    await deleteUser.execute({ userId: user.id, actor: { type: 'system', id: null, identifier: 'test' } }, CONTEXT);
    expect(await ports.repositories.users.findById(user.id)).toBeNull();
    expect((await ports.repositories.users.findById(user.id, { includeDeleted: true }))?.deletedAt).toEqual(ports.clock.now());
  });

  it('revokes every session, then announces user.deleted and session.revoked in that order', async () => {
    const user = await seedUser(ports);
    const first = await signIn(ports, user);
    const second = await signIn(ports, user);
    await deleteUser.execute({ userId: user.id, actor: { type: 'system', id: null, identifier: 'test' } }, CONTEXT);

    expect(eventTypes(ports)).toEqual(['user.deleted', 'session.revoked']);
    expect(ports.db.outbox[1]?.payload).toEqual({ session_ids: [first.session.id, second.session.id].sort(), reason: 'account_deleted' });
    expect(ports.principals.invalidated.sort()).toEqual([first.session.id, second.session.id].sort());
    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'user.deleted',
        previousState: { email: user.email, role: 'user', kyc_status: 'pending', deleted_at: null },
        metadata: { revoked_sessions: 2 },
      }),
    ]);
  });

  it('refuses to let an administrator delete their own account', async () => {
    const admin = await seedUser(ports, { role: 'admin' });
    await expect(
      deleteUser.execute({ userId: admin.id, actor: { type: 'admin', id: admin.id, identifier: admin.email } }, CONTEXT),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await ports.repositories.users.findById(admin.id)).not.toBeNull();
  });

  it('answers USER_NOT_FOUND for an unknown or already deleted user', async () => {
    const user = await seedUser(ports);
    const actor = { type: 'system' as const, id: null, identifier: 'test' };
    await deleteUser.execute({ userId: user.id, actor }, CONTEXT);
    await expect(deleteUser.execute({ userId: user.id, actor }, CONTEXT)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('keeps the user and the sessions when the outbox write fails', async () => {
    const user = await seedUser(ports);
    const { session } = await signIn(ports, user);
    ports.db.failOutboxWith(new Error('outbox down'));
    await expect(
      deleteUser.execute({ userId: user.id, actor: { type: 'system', id: null, identifier: 'test' } }, CONTEXT),
    ).rejects.toThrow();
    expect(await ports.repositories.users.findById(user.id)).not.toBeNull();
    expect(ports.db.session(session.id)?.revokedAt).toBeNull();
    expect(ports.db.audit).toEqual([]);
  });
});
