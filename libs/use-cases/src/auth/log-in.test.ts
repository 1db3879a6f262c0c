import {
  challengeOf,
  CONTEXT,
  createFakePorts,
  eventTypes,
  FakeLoginThrottle,
  PASSWORD,
  seedMfaUser,
  seedUser,
  sessionOf,
  type FakePorts,
} from '../testing';
import { LogIn } from './log-in';

describe('LogIn', () => {
  let ports: FakePorts;
  let logIn: LogIn;

  beforeEach(() => {
    ports = createFakePorts();
    logIn = new LogIn(ports);
  });

  it('opens a session for the right password, whatever the case of the email', async () => {
    const user = await seedUser(ports, { email: 'ada@example.com' });
    const result = sessionOf(await logIn.execute({ email: 'ADA@example.com', password: PASSWORD }, CONTEXT));
    expect(result.user.id).toBe(user.id);
    expect((await ports.accessTokens.verify(result.accessToken)).sid).toBe(result.session.id);
    expect(ports.metrics.logins).toEqual(['success']);
    expect(ports.loginThrottle.calls).toEqual(['reserve ada@example.com', 'success ada@example.com']);
  });

  it('records the login in the audit trail and the outbox, the actor typed by role', async () => {
    const admin = await seedUser(ports, { email: 'root@example.com', role: 'admin' });
    const { session } = sessionOf(await logIn.execute({ email: 'root@example.com', password: PASSWORD }, CONTEXT));
    expect(ports.db.audit).toEqual([
      expect.objectContaining({ eventType: 'auth.login.succeeded', userId: admin.id, actorType: 'admin', sessionId: session.id }),
    ]);
    expect(eventTypes(ports)).toEqual(['user.logged_in']);
  });

  it('answers the same INVALID_CREDENTIALS for a wrong password and an unknown email, after the same hashing work', async () => {
    await seedUser(ports, { email: 'ada@example.com' });
    const wrong = logIn.execute({ email: 'ada@example.com', password: 'wrong password' }, CONTEXT);
    const unknown = logIn.execute({ email: 'nobody@example.com', password: PASSWORD }, CONTEXT);
    await expect(wrong).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Invalid email or password.' });
    await expect(unknown).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Invalid email or password.' });
    expect(ports.hasher.dummyVerifications).toBe(1);
  });

  it('audits a failure with its reason, logs it as a security event and counts it against the email', async () => {
    const user = await seedUser(ports, { email: 'ada@example.com' });
    await expect(logIn.execute({ email: 'ada@example.com', password: 'wrong password' }, CONTEXT)).rejects.toThrow();
    expect(ports.db.audit).toEqual([
      expect.objectContaining({ eventType: 'auth.login.failed', userId: user.id, status: 'failure', failureReason: 'invalid_password' }),
    ]);
    expect(ports.securityLog.events).toEqual([
      expect.objectContaining({ event: 'login_failed', fields: expect.objectContaining({ reason: 'invalid_password', user_id: user.id }) }),
    ]);
    expect(ports.loginThrottle.failures.get('ada@example.com')).toBe(1);
    expect(ports.loginThrottle.sourceFailures.get(FakeLoginThrottle.sourceKey('ada@example.com', CONTEXT))).toBe(1);
    expect(ports.metrics.logins).toEqual(['invalid_credentials']);
    expect(eventTypes(ports)).toEqual([]);
  });

  it('records a login identifier that is not an email as invalid-identifier, in the audit row and the security log', async () => {
    await expect(logIn.execute({ email: 'Tr0ub4dor&3 my password', password: 'x' }, CONTEXT)).rejects.toThrow();
    expect(ports.db.audit.map((row) => row.actorIdentifier)).toEqual(['invalid-identifier']);
    expect(ports.securityLog.events[0]?.fields).toMatchObject({ email: 'invalid-identifier' });
    // The lock still counts against what was typed.
    expect(ports.loginThrottle.failures.get('tr0ub4dor&3 my password')).toBe(1);
  });

  it('refuses a correct password of a non-admin at the admin login, audited as insufficient_role', async () => {
    await seedUser(ports, { email: 'ada@example.com' });
    await expect(
      new LogIn(ports, { requiredRole: 'admin' }).execute({ email: 'ada@example.com', password: PASSWORD }, CONTEXT),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(ports.db.audit[0]).toMatchObject({ failureReason: 'insufficient_role', metadata: { required_role: 'admin' } });
    expect(ports.metrics.logins).toEqual(['forbidden']);
  });

  it('locks the email once failures reach the threshold, audited as critical and logged', async () => {
    ports.loginThrottle.threshold = 2;
    await seedUser(ports, { email: 'ada@example.com' });
    for (let i = 0; i < 2; i++) {
      await expect(logIn.execute({ email: 'ada@example.com', password: 'wrong password' }, CONTEXT)).rejects.toThrow();
    }
    expect(ports.db.audit.map((entry) => [entry.eventType, entry.severity])).toEqual([
      ['auth.login.failed', 'warning'],
      ['auth.login.failed', 'warning'],
      ['security.login_locked', 'critical'],
    ]);
    expect(ports.securityLog.events.map((entry) => entry.event)).toEqual(['login_failed', 'login_failed', 'login_locked']);
    expect(ports.metrics.lockouts).toBe(1);
  });

  it('answers a locked email with RATE_LIMITED and Retry-After, before looking at the password', async () => {
    await seedUser(ports, { email: 'ada@example.com' });
    ports.loginThrottle.locks.set('ada@example.com', new Date(ports.clock.now().getTime() + 30_000));
    await expect(logIn.execute({ email: 'ada@example.com', password: PASSWORD }, CONTEXT)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 30,
    });
    expect(ports.metrics.logins).toEqual(['locked']);
    expect(ports.db.audit).toEqual([]);
  });

  it('upgrades a hash made with older parameters without touching updated_at', async () => {
    const user = await seedUser(ports, { email: 'ada@example.com' });
    ports.hasher.params = 'v2';
    ports.clock.advance(60_000);
    await logIn.execute({ email: 'ada@example.com', password: PASSWORD }, CONTEXT);
    expect(ports.db.passwordHashOf(user.id)).toBe(`fake$v2$${PASSWORD}`);
    expect((await ports.repositories.users.findById(user.id))?.updatedAt).toEqual(user.updatedAt);
    expect(ports.db.audit[0]?.metadata).toMatchObject({ password_rehashed: true });
  });

  it('gives the reserved attempt back when the login fails for another reason than the password', async () => {
    await seedUser(ports, { email: 'ada@example.com' });
    ports.db.failOutboxWith(new Error('outbox down'));
    await expect(logIn.execute({ email: 'ada@example.com', password: PASSWORD }, CONTEXT)).rejects.toThrow('outbox down');
    expect(ports.loginThrottle.calls).toEqual(['reserve ada@example.com', 'release ada@example.com']);
    expect(await ports.repositories.sessions.countActive(ports.clock.now())).toBe(0);
  });

  it('answers an MFA challenge, not a session, for the right password of an account with TOTP on', async () => {
    const user = await seedMfaUser(ports, { email: 'ada@example.com' });
    const challenge = challengeOf(await logIn.execute({ email: 'ada@example.com', password: PASSWORD }, CONTEXT));
    expect(challenge).toMatchObject({ mfaRequired: true, expiresInSeconds: 300, methods: ['totp', 'recovery_code'] });
    expect(await ports.repositories.sessions.countActive(ports.clock.now())).toBe(0);
    expect(ports.db.mfaChallenges).toEqual([
      expect.objectContaining({ userId: user.id, requiredRole: null, tokenHash: `hash:${challenge.mfaToken}` }),
    ]);
    expect(ports.db.audit.map((entry) => entry.eventType)).toEqual(['auth.mfa.challenge_issued']);
    expect(eventTypes(ports)).toEqual([]);
  });

  it('gives the attempt back without resetting the failure count when only the password of an MFA account was right', async () => {
    await seedMfaUser(ports, { email: 'ada@example.com' });
    await expect(logIn.execute({ email: 'ada@example.com', password: 'wrong password' }, CONTEXT)).rejects.toThrow();
    await logIn.execute({ email: 'ada@example.com', password: PASSWORD }, CONTEXT);
    expect(ports.loginThrottle.calls).toEqual([
      'reserve ada@example.com',
      'failure ada@example.com',
      'reserve ada@example.com',
      'release ada@example.com',
    ]);
    expect(ports.loginThrottle.failures.get('ada@example.com')).toBe(1);
    expect(ports.loginThrottle.sourceFailures.get(FakeLoginThrottle.sourceKey('ada@example.com', CONTEXT))).toBe(1);
  });

  it('refuses a client IP whose failures for this email used up its budget, while the account is not locked', async () => {
    ports.loginThrottle.sourceLimit = 1;
    await seedUser(ports, { email: 'ada@example.com' });
    await expect(logIn.execute({ email: 'ada@example.com', password: 'wrong password' }, CONTEXT)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(logIn.execute({ email: 'ada@example.com', password: PASSWORD }, CONTEXT)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(ports.metrics.logins).toEqual(['invalid_credentials', 'rate_limited']);
    await expect(
      logIn.execute({ email: 'ada@example.com', password: PASSWORD }, { ...CONTEXT, ipAddress: '198.51.100.4' }),
    ).resolves.toBeTruthy();
  });
});
