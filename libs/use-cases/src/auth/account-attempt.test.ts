import { AppError } from '@pandora/errors';
import { auditTypes, codeOf, CONTEXT, createFakePorts, FakeLoginThrottle } from '../testing';
import { withAccountAttempt } from './account-attempt';

describe('withAccountAttempt', () => {
  const account = (mfaEnabled: boolean) => ({ email: 'ada@example.com', userId: '00000000-0000-4000-8000-0000000000aa', mfaEnabled });
  const verdicts = (calls: string[]) => calls.filter((call) => !call.startsWith('reserve'));

  it('records a wrong password or code as a failure, and anything else without a verdict', async () => {
    const ports = createFakePorts();
    for (const code of ['INVALID_CREDENTIALS', 'INVALID_MFA_CODE', 'MFA_REQUIRED', 'WEAK_PASSWORD'] as const) {
      await codeOf(withAccountAttempt(ports, account(false), CONTEXT, async () => Promise.reject(new AppError(code))));
    }
    expect(verdicts(ports.loginThrottle.calls)).toEqual([
      'failure ada@example.com',
      'failure ada@example.com',
      'release ada@example.com',
      'release ada@example.com',
    ]);
  });

  it('counts a failure on the caller’s (IP, email) budget too, and answers 429 once that budget is used up', async () => {
    const ports = createFakePorts();
    ports.loginThrottle.sourceLimit = 2;
    const work = jest.fn(async () => Promise.reject(new AppError('INVALID_MFA_CODE')));
    for (let attempt = 0; attempt < 2; attempt++) await codeOf(withAccountAttempt(ports, account(true), CONTEXT, work));
    expect(ports.loginThrottle.sourceFailures.get(FakeLoginThrottle.sourceKey('ada@example.com', CONTEXT))).toBe(2);
    await expect(withAccountAttempt(ports, account(true), CONTEXT, work)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('from this address'),
    });
    expect(work).toHaveBeenCalledTimes(2);
    const refusals: string[] = [];
    await codeOf(withAccountAttempt(ports, account(true), CONTEXT, work, { onRefused: (limit) => refusals.push(limit) }));
    expect(refusals).toEqual(['ip_and_email']);
    // Another address still has its own budget (and the account is not locked).
    expect(await codeOf(withAccountAttempt(ports, account(true), { ...CONTEXT, ipAddress: '198.51.100.4' }, work))).toBe(
      'INVALID_MFA_CODE',
    );
  });

  it('resets the count of an MFA account only when the second factor was proved', async () => {
    const ports = createFakePorts();
    await withAccountAttempt(ports, account(true), CONTEXT, async () => 'password only');
    await withAccountAttempt(ports, account(true), CONTEXT, async (attempt) => attempt.secondFactorProved());
    await withAccountAttempt(ports, account(false), CONTEXT, async () => 'no MFA');
    expect(verdicts(ports.loginThrottle.calls)).toEqual(['release ada@example.com', 'success ada@example.com', 'success ada@example.com']);
  });

  it('answers 429 for a locked account before the work runs, and audits the lock that a failure causes', async () => {
    const ports = createFakePorts();
    const work = jest.fn(async () => Promise.reject(new AppError('INVALID_MFA_CODE')));
    for (let attempt = 0; attempt < 5; attempt++) await codeOf(withAccountAttempt(ports, account(true), CONTEXT, work));
    expect(auditTypes(ports)).toEqual(['security.login_locked']);
    expect(ports.metrics.lockouts).toBe(1);
    expect(ports.securityLog.events.map((entry) => entry.event)).toEqual(['login_locked']);
    expect(await codeOf(withAccountAttempt(ports, account(true), CONTEXT, work))).toBe('RATE_LIMITED');
    expect(work).toHaveBeenCalledTimes(5);
  });
});
