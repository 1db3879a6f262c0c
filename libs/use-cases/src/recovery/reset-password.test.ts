import {
  auditTypes,
  CONTEXT,
  createFakePorts,
  eventTypes,
  HOUR_MS,
  NEW_PASSWORD,
  PASSWORD,
  seedMfaUser,
  seedUser,
  signIn,
  totpCode,
  type FakePorts,
  linkOf,
} from '../testing';
import { RequestPasswordReset } from './request-password-reset';
import { ResetPassword } from './reset-password';

describe('password recovery', () => {
  let ports: FakePorts;
  let forgot: RequestPasswordReset;
  let reset: ResetPassword;

  beforeEach(() => {
    ports = createFakePorts();
    forgot = new RequestPasswordReset(ports);
    reset = new ResetPassword(ports);
  });

  it('queues a password_reset mail for an active account, with a 30-minute link', async () => {
    const user = await seedUser(ports, { email: 'ada@example.com' });
    expect(await forgot.execute({ email: ' ADA@example.com ' }, CONTEXT)).toBe('queued');
    expect(ports.db.mail).toEqual([expect.objectContaining({ template: 'password_reset', recipient: 'ada@example.com', userId: user.id })]);
    expect(ports.db.oneTimeTokens[0]?.expiresAt.getTime()).toBe(ports.clock.now().getTime() + HOUR_MS / 2);
    expect(auditTypes(ports)).toEqual(['user.password.reset_requested']);
  });

  it('sends nothing and writes nothing for an unknown address', async () => {
    expect(await forgot.execute({ email: 'nobody@example.com' }, CONTEXT)).toBe('no_account');
    expect(ports.db.mail).toEqual([]);
    expect(ports.db.audit).toEqual([]);
  });

  it('drops requests silently beyond three mails per hour for one address', async () => {
    await seedUser(ports, { email: 'ada@example.com' });
    for (let i = 0; i < 3; i++) expect(await forgot.execute({ email: 'ada@example.com' }, CONTEXT)).toBe('queued');
    expect(await forgot.execute({ email: 'ada@example.com' }, CONTEXT)).toBe('capped');
    expect(ports.db.mail).toHaveLength(3);
    expect(ports.securityLog.events.map((event) => event.event)).toContain('password_reset_capped');
  });

  it('sets the new password, revokes every session, clears the login throttle and announces it', async () => {
    const user = await seedUser(ports, { email: 'ada@example.com' });
    const first = await signIn(ports, user);
    const second = await signIn(ports, user);
    await forgot.execute({ email: 'ada@example.com' }, CONTEXT);
    await reset.execute({ token: linkOf(ports, 'password_reset'), newPassword: NEW_PASSWORD }, CONTEXT);

    expect(await ports.hasher.verify(ports.db.passwordHashOf(user.id) ?? '', NEW_PASSWORD)).toBe(true);
    expect(ports.db.session(first.session.id)?.revokedReason).toBe('password_reset');
    expect(ports.db.session(second.session.id)?.revokedReason).toBe('password_reset');
    expect(ports.principals.invalidated.sort()).toEqual([first.session.id, second.session.id].sort());
    expect(ports.loginThrottle.calls).toContain('clear ada@example.com');
    const stored = await ports.repositories.users.findById(user.id);
    expect(stored?.emailVerifiedAt).toEqual(ports.clock.now());
    expect(stored?.securityChangedAt).toEqual(ports.clock.now());
    expect(eventTypes(ports)).toEqual(['user.password.reset', 'session.revoked']);
    expect(ports.db.outbox[0]?.payload).toEqual({ email: 'ada@example.com' });
    expect(auditTypes(ports)).toContain('user.password.reset');
    expect(ports.db.mail.at(-1)).toMatchObject({
      template: 'password_changed',
      recipient: 'ada@example.com',
      data: expect.objectContaining({ how: 'reset' }),
    });
  });

  it('uses the link once', async () => {
    await seedUser(ports, { email: 'ada@example.com' });
    await forgot.execute({ email: 'ada@example.com' }, CONTEXT);
    const token = linkOf(ports, 'password_reset');
    await reset.execute({ token, newPassword: NEW_PASSWORD }, CONTEXT);
    await expect(reset.execute({ token, newPassword: 'yet another passphrase' }, CONTEXT)).rejects.toMatchObject({
      code: 'INVALID_OR_EXPIRED_TOKEN',
    });
  });

  it('leaves the link usable after a weak password', async () => {
    await seedUser(ports, { email: 'ada@example.com' });
    await forgot.execute({ email: 'ada@example.com' }, CONTEXT);
    const token = linkOf(ports, 'password_reset');
    await expect(reset.execute({ token, newPassword: 'short' }, CONTEXT)).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
    await reset.execute({ token, newPassword: NEW_PASSWORD }, CONTEXT);
  });

  it('refuses an expired link and one superseded by a newer request', async () => {
    await seedUser(ports, { email: 'ada@example.com' });
    await forgot.execute({ email: 'ada@example.com' }, CONTEXT);
    const older = linkOf(ports, 'password_reset');
    await forgot.execute({ email: 'ada@example.com' }, CONTEXT);
    await expect(reset.execute({ token: older, newPassword: NEW_PASSWORD }, CONTEXT)).rejects.toMatchObject({
      code: 'INVALID_OR_EXPIRED_TOKEN',
    });
    ports.clock.advance(HOUR_MS / 2 + 1);
    await expect(reset.execute({ token: linkOf(ports, 'password_reset'), newPassword: NEW_PASSWORD }, CONTEXT)).rejects.toMatchObject({
      code: 'INVALID_OR_EXPIRED_TOKEN',
    });
  });

  it('asks an MFA account for its code before hashing the new password, counted as a missing code', async () => {
    await seedMfaUser(ports, { email: 'ada@example.com' });
    await forgot.execute({ email: 'ada@example.com' }, CONTEXT);
    await expect(reset.execute({ token: linkOf(ports, 'password_reset'), newPassword: NEW_PASSWORD }, CONTEXT)).rejects.toMatchObject({
      code: 'MFA_REQUIRED',
    });
    expect(ports.hasher.hashed).toEqual([]);
    expect(ports.metrics.mfaVerifications).toEqual(['missing']);
  });

  it('asks an MFA account for its code, keeps the link on a wrong one, and keeps MFA on', async () => {
    const user = await seedMfaUser(ports, { email: 'ada@example.com' });
    await forgot.execute({ email: 'ada@example.com' }, CONTEXT);
    const token = linkOf(ports, 'password_reset');
    await expect(reset.execute({ token, newPassword: NEW_PASSWORD }, CONTEXT)).rejects.toMatchObject({ code: 'MFA_REQUIRED' });
    await expect(reset.execute({ token, newPassword: NEW_PASSWORD, mfaCode: '000000' }, CONTEXT)).rejects.toMatchObject({
      code: 'INVALID_MFA_CODE',
    });
    expect(ports.loginThrottle.failures.get('ada@example.com')).toBe(1);
    await reset.execute({ token, newPassword: NEW_PASSWORD, mfaCode: totpCode(ports) }, CONTEXT);
    expect((await ports.repositories.users.findById(user.id))?.mfaEnabled).toBe(true);
    expect(await ports.hasher.verify(ports.db.passwordHashOf(user.id) ?? '', NEW_PASSWORD)).toBe(true);
  });

  it('kills a reset link when the password is changed another way or the account is deleted', async () => {
    const user = await seedUser(ports, { email: 'ada@example.com' });
    await forgot.execute({ email: 'ada@example.com' }, CONTEXT);
    const token = linkOf(ports, 'password_reset');
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await expect(reset.execute({ token, newPassword: NEW_PASSWORD }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_OR_EXPIRED_TOKEN' });
    expect(await ports.hasher.verify(ports.db.passwordHashOf(user.id) ?? '', PASSWORD)).toBe(true);
  });
});
