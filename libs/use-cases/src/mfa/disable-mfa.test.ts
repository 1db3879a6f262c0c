import type { AppError } from '@pandora/errors';
import { NO_REQUEST_CONTEXT } from '@pandora/domain';
import { DisableMfa } from './disable-mfa';
import { GetMfaStatus } from './get-mfa-status';
import { RegenerateRecoveryCodes } from './regenerate-recovery-codes';
import { InMemoryMfaWorld } from './testing/in-memory-mfa-world';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (error: AppError) => error.code,
  );
const PASSWORD = 'correct horse battery staple';

describe('DisableMfa', () => {
  it('needs the password and a code, then removes the factor with an event and an audit row', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addMfaUser();
    const principal = world.principalOf(user, world.addSession(user.id));
    const disable = new DisableMfa(world.deps);
    expect(await codeOf(disable.execute(principal, { password: 'wrong', code: world.code() }, NO_REQUEST_CONTEXT))).toBe(
      'INVALID_CREDENTIALS',
    );
    expect(await codeOf(disable.execute(principal, { password: PASSWORD, code: '000000' }, NO_REQUEST_CONTEXT))).toBe('INVALID_MFA_CODE');
    expect(world.state.mfa.has(user.id)).toBe(true);

    await disable.execute(principal, { password: PASSWORD, code: world.code() }, NO_REQUEST_CONTEXT);
    expect(world.state.users.get(user.id)?.mfaEnabled).toBe(false);
    expect(world.state.mfa.has(user.id)).toBe(false);
    expect(world.events('user.mfa.disabled').map((event) => event.payload)).toEqual([{ email: user.email, reason: 'user' }]);
    expect(world.loginThrottle.calls.filter((call) => !call.startsWith('reserve'))).toEqual([
      `failure:${user.email}`,
      `failure:${user.email}`,
      `success:${user.email}`,
    ]);
  });
});

describe('RegenerateRecoveryCodes and GetMfaStatus', () => {
  it('replace the set with a code and count what is left', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addMfaUser();
    const principal = world.principalOf(user, world.addSession(user.id));
    expect(await codeOf(new RegenerateRecoveryCodes(world.deps).execute(principal, { code: '000000' }, NO_REQUEST_CONTEXT))).toBe(
      'INVALID_MFA_CODE',
    );
    const { recoveryCodes } = await new RegenerateRecoveryCodes(world.deps).execute(principal, { code: world.code() }, NO_REQUEST_CONTEXT);
    expect(recoveryCodes).toHaveLength(10);
    expect(await new GetMfaStatus(world.deps).execute(principal)).toEqual({ totpEnabled: true, recoveryCodesRemaining: 10 });
    expect(world.auditRows('user.mfa.recovery_codes_regenerated')).toHaveLength(1);
  });

  it('answer MFA_SETUP_REQUIRED / nothing for an account without TOTP', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addUser();
    const principal = world.principalOf(user, world.addSession(user.id));
    expect(await codeOf(new RegenerateRecoveryCodes(world.deps).execute(principal, { code: '123456' }, NO_REQUEST_CONTEXT))).toBe(
      'MFA_SETUP_REQUIRED',
    );
    expect(await new GetMfaStatus(world.deps).execute(principal)).toEqual({ totpEnabled: false, recoveryCodesRemaining: 0 });
  });
});
