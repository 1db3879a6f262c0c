import type { AppError } from '@pandora/errors';
import { NO_REQUEST_CONTEXT } from '@pandora/domain';
import { ConfirmTotpSetup } from './confirm-totp-setup';
import { StartTotpSetup } from './start-totp-setup';
import { InMemoryMfaWorld } from './testing/in-memory-mfa-world';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (error: AppError) => error.code,
  );

function enrolling() {
  const world = new InMemoryMfaWorld();
  const user = world.addUser();
  const current = world.addSession(user.id);
  const other = world.addSession(user.id);
  const principal = world.principalOf(user, current);
  return { world, user, current, other, principal, start: new StartTotpSetup(world.deps), confirm: new ConfirmTotpSetup(world.deps) };
}

describe('StartTotpSetup', () => {
  it('stores the new secret sealed and pending, and answers it with its otpauth URL', async () => {
    const { world, user, principal, start } = enrolling();
    const setup = await start.execute(principal, { password: 'correct horse battery staple' }, NO_REQUEST_CONTEXT);
    expect(setup).toEqual({ secret: 'SECRET1', otpauthUrl: `otpauth://totp/Pandora Exchange:${user.email}?secret=SECRET1` });
    const row = world.state.mfa.get(user.id);
    expect(row?.secret).toBeNull();
    expect(Buffer.from(row?.pending?.ciphertext ?? []).toString()).not.toContain('SECRET1');
    expect(world.state.users.get(user.id)?.mfaEnabled).toBe(false);
  });

  it('refuses a wrong password (counted on the throttle) and a user whose TOTP is already on', async () => {
    const { world, principal, start } = enrolling();
    expect(await codeOf(start.execute(principal, { password: 'wrong' }, NO_REQUEST_CONTEXT))).toBe('INVALID_CREDENTIALS');
    expect(world.loginThrottle.calls).toContain(`failure:${principal.email}`);
    expect(world.auditRows('user.mfa.setup_started')).toEqual([
      expect.objectContaining({ status: 'failure', failureReason: 'invalid_password' }),
    ]);

    const enabled = world.addMfaUser();
    const session = world.addSession(enabled.id);
    expect(
      await codeOf(start.execute(world.principalOf(enabled, session), { password: 'correct horse battery staple' }, NO_REQUEST_CONTEXT)),
    ).toBe('MFA_ALREADY_ENABLED');
  });
});

describe('ConfirmTotpSetup', () => {
  it('turns TOTP on, issues ten recovery codes, revokes the other sessions and announces it, all at once', async () => {
    const { world, user, other, principal, start, confirm } = enrolling();
    await start.execute(principal, { password: 'correct horse battery staple' }, NO_REQUEST_CONTEXT);
    const { recoveryCodes } = await confirm.execute(principal, { code: world.code('SECRET1') }, NO_REQUEST_CONTEXT);

    expect(recoveryCodes).toHaveLength(10);
    expect(world.state.users.get(user.id)).toMatchObject({ mfaEnabled: true, securityChangedAt: world.clock.now() });
    expect(world.state.mfa.get(user.id)).toMatchObject({ pending: null, lastUsedStep: world.clock.step, enabledAt: world.clock.now() });
    expect(world.state.recoveryCodes.map((code) => code.hash)).not.toContain(recoveryCodes[0]);
    expect(world.state.sessions.get(other.id)?.revokedReason).toBe('mfa_enabled');
    expect(world.state.sessions.get(principal.sessionId)?.revokedAt).toBeNull();
    expect(world.invalidated).toEqual([other.id]);
    expect(world.events().map((event) => event.type)).toEqual(['session.revoked', 'user.mfa.enabled']);
    expect(world.auditRows('user.mfa.enabled')).toHaveLength(1);
  });

  it('changes nothing for a wrong code, and counts it on the throttle', async () => {
    const { world, user, other, principal, start, confirm } = enrolling();
    await start.execute(principal, { password: 'correct horse battery staple' }, NO_REQUEST_CONTEXT);
    expect(await codeOf(confirm.execute(principal, { code: '000000' }, NO_REQUEST_CONTEXT))).toBe('INVALID_MFA_CODE');
    expect(world.state.users.get(user.id)?.mfaEnabled).toBe(false);
    expect(world.state.sessions.get(other.id)?.revokedAt).toBeNull();
    expect(world.events()).toEqual([]);
    expect(world.loginThrottle.calls).toContain(`failure:${user.email}`);
  });

  it('answers MFA_SETUP_REQUIRED without a pending setup', async () => {
    const { principal, confirm, world } = enrolling();
    expect(await codeOf(confirm.execute(principal, { code: world.code('SECRET1') }, NO_REQUEST_CONTEXT))).toBe('MFA_SETUP_REQUIRED');
  });
});
