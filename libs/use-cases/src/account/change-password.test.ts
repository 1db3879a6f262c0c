import { auditTypes, CONTEXT, createFakePorts, eventTypes, PASSWORD, seedUser, signIn, type FakePorts } from '../testing';
import { ChangePassword } from './change-password';

const NEW_PASSWORD = 'a brand new passphrase';

describe('ChangePassword', () => {
  let ports: FakePorts;
  let changePassword: ChangePassword;

  beforeEach(() => {
    ports = createFakePorts();
    changePassword = new ChangePassword(ports);
  });

  it('stores the hash of the new password', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, CONTEXT);
    expect(await ports.hasher.verify(ports.db.passwordHashOf(user.id) ?? '', NEW_PASSWORD)).toBe(true);
  });

  it('revokes every other session and keeps the caller’s, announcing the revocation after the change', async () => {
    const user = await seedUser(ports);
    const current = await signIn(ports, user);
    const other = await signIn(ports, user);
    await changePassword.execute(current.principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, CONTEXT);

    expect(ports.db.session(other.session.id)?.revokedReason).toBe('password_changed');
    expect(ports.db.session(current.session.id)?.revokedAt).toBeNull();
    expect(eventTypes(ports)).toEqual(['user.password.changed', 'session.revoked']);
    expect(ports.db.outbox[1]?.payload).toEqual({ session_ids: [other.session.id], reason: 'password_changed' });
    expect(ports.principals.invalidated).toEqual([other.session.id]);
  });

  it('writes no session.revoked event when no other session was live', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, CONTEXT);
    expect(eventTypes(ports)).toEqual(['user.password.changed']);
  });

  it('records a sensitive audit row with the number of revoked sessions and the request context', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await signIn(ports, user);
    await changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, CONTEXT);
    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'user.password.changed',
        status: 'success',
        isSensitive: true,
        userId: user.id,
        actorType: 'user',
        actorIdentifier: user.email,
        sessionId: principal.sessionId,
        requestId: CONTEXT.requestId,
        ipAddress: CONTEXT.ipAddress,
        metadata: { revoked_sessions: 1 },
      }),
    ]);
  });

  it('refuses a wrong current password with INVALID_CREDENTIALS, audits the failure and changes nothing', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const other = await signIn(ports, user);
    const before = ports.db.passwordHashOf(user.id);

    await expect(
      changePassword.execute(principal, { currentPassword: 'not the password', newPassword: NEW_PASSWORD }, CONTEXT),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(ports.db.passwordHashOf(user.id)).toBe(before);
    expect(ports.db.session(other.session.id)?.revokedAt).toBeNull();
    expect(ports.db.audit).toEqual([
      expect.objectContaining({ eventType: 'user.password.changed', status: 'failure', failureReason: 'invalid_current_password' }),
    ]);
    expect(eventTypes(ports)).toEqual([]);
  });

  it('applies the password policy before hashing anything', async () => {
    const user = await seedUser(ports, { email: 'grace@example.com' });
    const { principal } = await signIn(ports, user);
    await expect(changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: 'short' }, CONTEXT)).rejects.toMatchObject({
      code: 'WEAK_PASSWORD',
    });
    await expect(
      changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: 'grace@example.com' }, CONTEXT),
    ).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
    expect(ports.hasher.hashed).toEqual([]);
    expect(auditTypes(ports)).toEqual([]);
  });

  it('answers USER_NOT_FOUND for a deleted account', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await expect(
      changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, CONTEXT),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('rolls back the new password and the revocations when the outbox write fails', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const other = await signIn(ports, user);
    const before = ports.db.passwordHashOf(user.id);
    ports.db.failOutboxWith(new Error('outbox down'));

    await expect(changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, CONTEXT)).rejects.toThrow(
      'outbox down',
    );
    expect(ports.db.passwordHashOf(user.id)).toBe(before);
    expect(ports.db.session(other.session.id)?.revokedAt).toBeNull();
    expect(ports.db.audit).toEqual([]);
    expect(ports.principals.invalidated).toEqual([]);
  });
});
