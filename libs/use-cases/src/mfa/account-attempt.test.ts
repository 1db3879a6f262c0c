import { AppError } from '@pandora/errors';
import { NO_REQUEST_CONTEXT } from '@pandora/domain';
import { withAccountAttempt } from './account-attempt';
import { InMemoryMfaWorld } from './testing/in-memory-mfa-world';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (error: AppError) => error.code,
  );

describe('withAccountAttempt', () => {
  const account = (mfaEnabled: boolean) => ({ email: 'ada@example.com', userId: 'u1', mfaEnabled });

  it('records a wrong password or code as a failure, and anything else without a verdict', async () => {
    const world = new InMemoryMfaWorld();
    for (const code of ['INVALID_CREDENTIALS', 'INVALID_MFA_CODE', 'MFA_REQUIRED', 'WEAK_PASSWORD'] as const) {
      await codeOf(withAccountAttempt(world.deps, account(false), NO_REQUEST_CONTEXT, async () => Promise.reject(new AppError(code))));
    }
    expect(world.loginThrottle.calls.filter((call) => !call.startsWith('reserve'))).toEqual([
      'failure:ada@example.com',
      'failure:ada@example.com',
      'release:ada@example.com',
      'release:ada@example.com',
    ]);
  });

  it('resets the count of an MFA account only when the second factor was proved', async () => {
    const world = new InMemoryMfaWorld();
    await withAccountAttempt(world.deps, account(true), NO_REQUEST_CONTEXT, async () => 'password only');
    await withAccountAttempt(world.deps, account(true), NO_REQUEST_CONTEXT, async (attempt) => attempt.secondFactorProved());
    await withAccountAttempt(world.deps, account(false), NO_REQUEST_CONTEXT, async () => 'no MFA');
    expect(world.loginThrottle.calls.filter((call) => !call.startsWith('reserve'))).toEqual([
      'release:ada@example.com',
      'success:ada@example.com',
      'success:ada@example.com',
    ]);
  });

  it('answers 429 for a locked account before the work runs, and audits the lock that a failure causes', async () => {
    const world = new InMemoryMfaWorld();
    const work = jest.fn(async () => Promise.reject(new AppError('INVALID_MFA_CODE')));
    for (let attempt = 0; attempt < 5; attempt++) await codeOf(withAccountAttempt(world.deps, account(true), NO_REQUEST_CONTEXT, work));
    expect(world.auditRows('security.login_locked')).toHaveLength(1);
    expect(await codeOf(withAccountAttempt(world.deps, account(true), NO_REQUEST_CONTEXT, work))).toBe('RATE_LIMITED');
    expect(work).toHaveBeenCalledTimes(5);
  });
});
