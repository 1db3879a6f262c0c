import type { AppError } from '@pandora/errors';
import { NO_REQUEST_CONTEXT, type User } from '@pandora/domain';
import { InMemoryMfaWorld } from '../mfa/testing/in-memory-mfa-world';
import { issueMfaChallenge } from './mfa-challenge';
import { VerifyMfaChallenge } from './verify-mfa-challenge';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (error: AppError) => error.code,
  );

async function challenged(requiredRole: 'admin' | null = null) {
  const world = new InMemoryMfaWorld();
  const user = world.addMfaUser();
  const challenge = await issueMfaChallenge(
    world.deps,
    world.repositories,
    user as User,
    requiredRole,
    NO_REQUEST_CONTEXT,
    world.clock.now(),
  );
  return { world, user, token: challenge.mfaToken, verify: new VerifyMfaChallenge(world.deps) };
}

describe('VerifyMfaChallenge', () => {
  it('opens an aal 2 session for the right code and uses the challenge up', async () => {
    const { world, user, token, verify } = await challenged();
    const result = await verify.execute({ mfaToken: token, code: world.code() }, NO_REQUEST_CONTEXT);
    expect(result.session).toMatchObject({ userId: user.id, amr: ['pwd', 'otp'], aal: 2, authTime: world.clock.now() });
    expect(result.accessToken).toBe('access:aal2');
    expect(world.events('user.logged_in')).toHaveLength(1);
    world.clock.nextStep();
    expect(await codeOf(verify.execute({ mfaToken: token, code: world.code() }, NO_REQUEST_CONTEXT))).toBe('INVALID_MFA_TOKEN');
  });

  it('keeps the count of wrong codes (the failure is committed) and dies after five', async () => {
    const { world, token, verify } = await challenged();
    world.loginThrottle.failures.clear();
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await codeOf(verify.execute({ mfaToken: token, code: '000000' }, NO_REQUEST_CONTEXT))).toBe(
        attempt < 5 ? 'INVALID_MFA_CODE' : 'INVALID_MFA_CODE',
      );
    }
    expect([...world.state.challenges.values()][0]?.failedAttempts).toBe(5);
    expect(world.auditRows('auth.mfa.failed')).toHaveLength(5);
    await world.loginThrottle.clear(world.state.users.values().next().value?.email as string);
    expect(await codeOf(verify.execute({ mfaToken: token, code: world.code() }, NO_REQUEST_CONTEXT))).toBe('INVALID_MFA_TOKEN');
  });

  it('refuses an expired challenge, a challenge of the other listener and an account whose MFA was reset', async () => {
    const expired = await challenged();
    expired.world.clock.current += 300_000;
    expect(await codeOf(expired.verify.execute({ mfaToken: expired.token, code: expired.world.code() }, NO_REQUEST_CONTEXT))).toBe(
      'INVALID_MFA_TOKEN',
    );

    const adminChallenge = await challenged('admin');
    expect(
      await codeOf(
        adminChallenge.verify.execute({ mfaToken: adminChallenge.token, code: adminChallenge.world.code() }, NO_REQUEST_CONTEXT),
      ),
    ).toBe('INVALID_MFA_TOKEN');

    const reset = await challenged();
    Object.assign(reset.world.state.users.get(reset.user.id) as User, { mfaEnabled: false });
    expect(await codeOf(reset.verify.execute({ mfaToken: reset.token, code: reset.world.code() }, NO_REQUEST_CONTEXT))).toBe(
      'INVALID_MFA_TOKEN',
    );
    expect(await codeOf(reset.verify.execute({ mfaToken: 'garbage', code: '123456' }, NO_REQUEST_CONTEXT))).toBe('INVALID_MFA_TOKEN');
  });
});
