import {
  auditTypes,
  challengeOf,
  codeOf,
  CONTEXT,
  createFakePorts,
  eventTypes,
  FakeLoginThrottle,
  PASSWORD,
  seedMfaUser,
  totpCode,
  type FakePorts,
} from '../testing';
import { LogIn } from './log-in';
import { VerifyMfaChallenge } from './verify-mfa-challenge';

/** An MFA account that passed the password step of the public (or admin) login. */
async function challenged(requiredRole?: 'admin') {
  const ports: FakePorts = createFakePorts();
  const user = await seedMfaUser(ports, { role: requiredRole ?? 'user' });
  const logIn = new LogIn(ports, requiredRole ? { requiredRole } : {});
  const { mfaToken } = challengeOf(await logIn.execute({ email: user.email, password: PASSWORD }, CONTEXT));
  return { ports, user, token: mfaToken, verify: new VerifyMfaChallenge(ports) };
}

describe('VerifyMfaChallenge', () => {
  it('opens an aal 2 session for the right code, in the token too, and uses the challenge up', async () => {
    const { ports, user, token, verify } = await challenged();
    const result = await verify.execute({ mfaToken: token, code: totpCode(ports) }, CONTEXT);
    expect(result.session).toMatchObject({ userId: user.id, amr: ['pwd', 'otp'], aal: 2, authTime: ports.clock.now() });
    expect(await ports.accessTokens.verify(result.accessToken)).toMatchObject({ amr: ['pwd', 'otp'], aal: 2 });
    expect(eventTypes(ports)).toEqual(['user.logged_in']);
    expect(auditTypes(ports)).toEqual(['auth.mfa.challenge_issued', 'auth.login.succeeded']);
    expect(ports.metrics.logins).toEqual(['success']);
    ports.clock.advance(30_000);
    expect(await codeOf(verify.execute({ mfaToken: token, code: totpCode(ports) }, CONTEXT))).toBe('INVALID_MFA_TOKEN');
  });

  it('commits the count of wrong codes and lets the challenge die after five', async () => {
    const { ports, user, token, verify } = await challenged();
    ports.loginThrottle.threshold = 100;
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await codeOf(verify.execute({ mfaToken: token, code: '000000' }, CONTEXT))).toBe('INVALID_MFA_CODE');
    }
    expect(ports.db.mfaChallenges[0]?.failedAttempts).toBe(5);
    expect(auditTypes(ports).filter((type) => type === 'auth.mfa.failed')).toHaveLength(5);
    await ports.loginThrottle.clear(user.email);
    expect(await codeOf(verify.execute({ mfaToken: token, code: totpCode(ports) }, CONTEXT))).toBe('INVALID_MFA_TOKEN');
  });

  it('counts every wrong code as a failed login on the account and on the caller’s (IP, email) budget; the right code resets both', async () => {
    const { ports, user, token, verify } = await challenged();
    for (let attempt = 0; attempt < 2; attempt++) await codeOf(verify.execute({ mfaToken: token, code: '000000' }, CONTEXT));
    const source = FakeLoginThrottle.sourceKey(user.email, CONTEXT);
    expect(ports.loginThrottle.failures.get(user.email)).toBe(2);
    expect(ports.loginThrottle.sourceFailures.get(source)).toBe(2);
    await verify.execute({ mfaToken: token, code: totpCode(ports) }, CONTEXT);
    expect(ports.loginThrottle.failures.has(user.email)).toBe(false);
    expect(ports.loginThrottle.sourceFailures.has(source)).toBe(false);
  });

  it('answers RATE_LIMITED without looking at the code once the account is locked', async () => {
    const { ports, user, token, verify } = await challenged();
    ports.loginThrottle.locks.set(user.email, new Date(ports.clock.now().getTime() + 60_000));
    expect(await codeOf(verify.execute({ mfaToken: token, code: totpCode(ports) }, CONTEXT))).toBe('RATE_LIMITED');
    expect(ports.db.mfaChallenges[0]?.consumedAt).toBeNull();
    expect(ports.metrics.logins).toEqual(['locked']);
  });

  it('answers RATE_LIMITED once this address spent its failures for the email, counted as a rate-limited login', async () => {
    const { ports, token, verify } = await challenged();
    ports.loginThrottle.sourceLimit = 1;
    expect(await codeOf(verify.execute({ mfaToken: token, code: '000000' }, CONTEXT))).toBe('INVALID_MFA_CODE');
    expect(await codeOf(verify.execute({ mfaToken: token, code: totpCode(ports) }, CONTEXT))).toBe('RATE_LIMITED');
    expect(ports.metrics.logins).toEqual(['rate_limited']);
  });

  it('refuses an expired challenge', async () => {
    const { ports, token, verify } = await challenged();
    ports.clock.advance(ports.mfa.challengeTtlMs);
    expect(await codeOf(verify.execute({ mfaToken: token, code: totpCode(ports) }, CONTEXT))).toBe('INVALID_MFA_TOKEN');
    expect(ports.metrics.mfaVerifications).toEqual(['invalid_challenge']);
  });

  it('refuses a challenge of the other listener', async () => {
    const { ports, token } = await challenged('admin');
    expect(await codeOf(new VerifyMfaChallenge(ports).execute({ mfaToken: token, code: totpCode(ports) }, CONTEXT))).toBe(
      'INVALID_MFA_TOKEN',
    );
    const admin = await challenged('admin');
    await expect(
      new VerifyMfaChallenge(admin.ports, { requiredRole: 'admin' }).execute(
        { mfaToken: admin.token, code: totpCode(admin.ports) },
        CONTEXT,
      ),
    ).resolves.toMatchObject({ session: expect.objectContaining({ aal: 2 }) });
  });

  it('refuses an account whose MFA was reset since the password step, and a token that is not one of ours', async () => {
    const { ports, user, token, verify } = await challenged();
    await ports.db.run((repositories) => repositories.users.update(user.id, { mfaEnabled: false }, ports.clock.now()));
    expect(await codeOf(verify.execute({ mfaToken: token, code: totpCode(ports) }, CONTEXT))).toBe('INVALID_MFA_TOKEN');
    expect(await codeOf(verify.execute({ mfaToken: 'garbage', code: '123456' }, CONTEXT))).toBe('INVALID_MFA_TOKEN');
  });
});
