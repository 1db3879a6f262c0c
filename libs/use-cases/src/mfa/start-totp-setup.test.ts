import { codeOf, CONTEXT, createFakePorts, PASSWORD, seedMfaUser, seedUser, signIn, type FakePorts } from '../testing';
import { ConfirmTotpSetup } from './confirm-totp-setup';
import { StartTotpSetup } from './start-totp-setup';

async function enrolling() {
  const ports: FakePorts = createFakePorts();
  const user = await seedUser(ports);
  const current = await signIn(ports, user);
  const other = await signIn(ports, user);
  return {
    ports,
    user,
    current,
    other,
    principal: current.principal,
    start: new StartTotpSetup(ports),
    confirm: new ConfirmTotpSetup(ports),
  };
}

describe('StartTotpSetup', () => {
  it('stores the new secret sealed and pending, and answers it with its otpauth URL', async () => {
    const { ports, user, principal, start } = await enrolling();
    const setup = await start.execute(principal, { password: PASSWORD }, CONTEXT);
    expect(setup).toEqual({ secret: 'SECRET1', otpauthUrl: `otpauth://totp/Pandora Exchange:${user.email}?secret=SECRET1` });
    const row = ports.db.mfaOf(user.id);
    expect(row?.secret).toBeNull();
    expect(Buffer.from(row?.pending?.ciphertext ?? []).toString()).not.toContain('SECRET1');
    expect((await ports.repositories.users.findById(user.id))?.mfaEnabled).toBe(false);
  });

  it('refuses a wrong password (counted as a failed login) and a user whose TOTP is already on', async () => {
    const { ports, principal, start } = await enrolling();
    expect(await codeOf(start.execute(principal, { password: 'wrong' }, CONTEXT))).toBe('INVALID_CREDENTIALS');
    expect(ports.loginThrottle.calls).toContain(`failure ${principal.email}`);
    expect(ports.db.audit).toEqual([
      expect.objectContaining({ eventType: 'user.mfa.setup_started', status: 'failure', failureReason: 'invalid_password' }),
    ]);

    const enabled = await seedMfaUser(ports);
    const { principal: enabledPrincipal } = await signIn(ports, enabled);
    expect(await codeOf(start.execute(enabledPrincipal, { password: PASSWORD }, CONTEXT))).toBe('MFA_ALREADY_ENABLED');
  });

  it('answers MFA_ALREADY_ENABLED alike for a right and a wrong password, counting neither', async () => {
    const ports = createFakePorts();
    const enabled = await seedMfaUser(ports);
    const { principal } = await signIn(ports, enabled);
    const start = new StartTotpSetup(ports);
    expect(await codeOf(start.execute(principal, { password: PASSWORD }, CONTEXT))).toBe('MFA_ALREADY_ENABLED');
    expect(await codeOf(start.execute(principal, { password: 'wrong' }, CONTEXT))).toBe('MFA_ALREADY_ENABLED');
    expect(ports.loginThrottle.failures.get(enabled.email)).toBeUndefined();
  });
});
