import { CONTEXT, createFakePorts, eventTypes, seedUser, signIn, type FakePorts } from '../testing';
import { ChangeRole } from './change-role';

describe('ChangeRole', () => {
  let ports: FakePorts;
  let changeRole: ChangeRole;

  beforeEach(() => {
    ports = createFakePorts();
    changeRole = new ChangeRole(ports);
  });

  async function admin() {
    return (await signIn(ports, await seedUser(ports, { role: 'admin', email: 'root@example.com' }))).principal;
  }

  it('promotes a user and revokes all their sessions, so tokens with the old role stop working', async () => {
    const user = await seedUser(ports);
    const { session } = await signIn(ports, user);
    const changed = await changeRole.execute(await admin(), { userId: user.id, role: 'admin' }, CONTEXT);

    expect(changed.role).toBe('admin');
    expect(ports.db.session(session.id)?.revokedReason).toBe('role_changed');
    expect(ports.principals.invalidated).toEqual([session.id]);
    expect(eventTypes(ports)).toEqual(['user.role.changed', 'session.revoked']);
    expect(ports.db.outbox[0]?.payload).toEqual({ email: user.email, role: 'admin', old_role: 'user' });
  });

  it('audits the change as a warning by the administrator, with before and after roles', async () => {
    const principal = await admin();
    const user = await seedUser(ports);
    await changeRole.execute(principal, { userId: user.id, role: 'admin' }, CONTEXT);
    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'user.role.changed',
        severity: 'warning',
        actorType: 'admin',
        actorIdentifier: 'root@example.com',
        sessionId: principal.sessionId,
        previousState: { role: 'user' },
        newState: { role: 'admin' },
        metadata: { revoked_sessions: 0 },
      }),
    ]);
  });

  it('refuses an administrator changing their own role, before touching anything', async () => {
    const principal = await admin();
    await expect(changeRole.execute(principal, { userId: principal.userId, role: 'user' }, CONTEXT)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(ports.db.audit).toEqual([]);
    expect(ports.db.session(principal.sessionId)?.revokedAt).toBeNull();
  });

  it('treats the current role as a no-op: no revocation, no record', async () => {
    const user = await seedUser(ports);
    const { session } = await signIn(ports, user);
    await changeRole.execute(await admin(), { userId: user.id, role: 'user' }, CONTEXT);
    expect(ports.db.session(session.id)?.revokedAt).toBeNull();
    expect(ports.db.audit).toEqual([]);
    expect(eventTypes(ports)).toEqual([]);
  });

  it('answers USER_NOT_FOUND for a deleted user', async () => {
    const user = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await expect(changeRole.execute(await admin(), { userId: user.id, role: 'admin' }, CONTEXT)).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });

  it('keeps the role and the sessions when the outbox write fails', async () => {
    const principal = await admin();
    const user = await seedUser(ports);
    const { session } = await signIn(ports, user);
    ports.db.failOutboxWith(new Error('outbox down'));
    await expect(changeRole.execute(principal, { userId: user.id, role: 'admin' }, CONTEXT)).rejects.toThrow('outbox down');
    expect((await ports.repositories.users.findById(user.id))?.role).toBe('user');
    expect(ports.db.session(session.id)?.revokedAt).toBeNull();
    expect(ports.principals.invalidated).toEqual([]);
  });

  it('answers the admin view, with the user’s login lock', async () => {
    const user = await seedUser(ports);
    const changed = await changeRole.execute(await admin(), { userId: user.id, role: 'admin' }, CONTEXT);
    expect(changed).toMatchObject({ id: user.id, lockedUntil: null });
  });
});
