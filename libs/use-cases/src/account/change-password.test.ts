import {
  auditTypes,
  CONTEXT,
  createFakePorts,
  eventTypes,
  FakeLoginThrottle,
  noticesQueued,
  NEW_PASSWORD,
  PASSWORD,
  seedMfaUser,
  seedUser,
  signIn,
  totpCode,
  type FakePorts,
} from '../testing';
import { ChangePassword } from './change-password';

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

  it('tells the owner in a password_changed notice with its freeze link, and nothing when the change is refused', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await expect(changePassword.execute(principal, { currentPassword: 'wrong one', newPassword: NEW_PASSWORD }, CONTEXT)).rejects.toThrow();
    expect(noticesQueued(ports)).toEqual([]);

    await changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, CONTEXT);
    expect(noticesQueued(ports)).toEqual([
      expect.objectContaining({ template: 'password_changed', recipient: user.email, data: expect.objectContaining({ how: 'change' }) }),
    ]);
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

  it('counts a wrong current password as a failed login, on the account and on the caller’s (IP, email) budget', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await expect(
      changePassword.execute(principal, { currentPassword: 'not the password', newPassword: NEW_PASSWORD }, CONTEXT),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(ports.loginThrottle.failures.get(user.email)).toBe(1);
    expect(ports.loginThrottle.sourceFailures.get(FakeLoginThrottle.sourceKey(user.email, CONTEXT))).toBe(1);
  });

  it('answers WEAK_PASSWORD alike for a right and a wrong current password, without checking or counting either', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const answers = [];
    for (const currentPassword of [PASSWORD, 'not the password']) {
      answers.push(
        await changePassword.execute(principal, { currentPassword, newPassword: 'password' }, CONTEXT).catch((error: Error) => error),
      );
    }
    expect(answers.map((answer) => [(answer as { code?: string }).code, (answer as Error).message])).toEqual([
      ['WEAK_PASSWORD', expect.any(String)],
      ['WEAK_PASSWORD', (answers[0] as Error).message],
    ]);
    expect(ports.loginThrottle.failures.get(user.email)).toBeUndefined();
    expect(ports.db.audit).toEqual([]);
  });

  describe('for an account with TOTP on', () => {
    it('asks for mfa_code before hashing the new password', async () => {
      const user = await seedMfaUser(ports);
      const { principal } = await signIn(ports, user);
      await expect(
        changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, CONTEXT),
      ).rejects.toMatchObject({
        code: 'MFA_REQUIRED',
      });
      expect(ports.hasher.hashed).toEqual([]);
      expect(ports.metrics.mfaVerifications).toEqual(['missing']);
      expect(ports.loginThrottle.calls).toEqual([`reserve ${user.email}`, `release ${user.email}`]);
    });

    it('asks for mfa_code alike for a right and a wrong current password', async () => {
      const user = await seedMfaUser(ports);
      const { principal } = await signIn(ports, user);
      for (const currentPassword of [PASSWORD, 'not the password']) {
        await expect(changePassword.execute(principal, { currentPassword, newPassword: NEW_PASSWORD }, CONTEXT)).rejects.toMatchObject({
          code: 'MFA_REQUIRED',
        });
      }
      expect(ports.loginThrottle.failures.get(user.email)).toBeUndefined();
    });

    it('refuses a wrong code, counts it as a failed login and changes nothing', async () => {
      const user = await seedMfaUser(ports);
      const { principal } = await signIn(ports, user);
      const before = ports.db.passwordHashOf(user.id);
      await expect(
        changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, mfaCode: '000000' }, CONTEXT),
      ).rejects.toMatchObject({ code: 'INVALID_MFA_CODE' });
      expect(ports.db.passwordHashOf(user.id)).toBe(before);
      expect(ports.loginThrottle.failures.get(user.email)).toBe(1);
      expect(ports.loginThrottle.sourceFailures.get(FakeLoginThrottle.sourceKey(user.email, CONTEXT))).toBe(1);
    });

    it('changes the password with the right code, sets security_changed_at and resets the failure count', async () => {
      const user = await seedMfaUser(ports);
      const { principal } = await signIn(ports, user);
      ports.loginThrottle.failures.set(user.email, 3);
      await changePassword.execute(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, mfaCode: totpCode(ports) }, CONTEXT);
      expect(await ports.hasher.verify(ports.db.passwordHashOf(user.id) ?? '', NEW_PASSWORD)).toBe(true);
      expect((await ports.repositories.users.findById(user.id))?.securityChangedAt).toEqual(ports.clock.now());
      expect(ports.loginThrottle.failures.has(user.email)).toBe(false);
      expect(ports.loginThrottle.calls.at(-1)).toBe(`success ${user.email}`);
    });
  });
});
