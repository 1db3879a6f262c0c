import { CONTEXT, createFakePorts, eventTypes, PASSWORD, seedUser, type FakePorts } from '../testing';
import { RegisterUser } from './register-user';

describe('RegisterUser', () => {
  let ports: FakePorts;
  let register: RegisterUser;
  const input = { email: 'Ada@Example.com', password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' };

  beforeEach(() => {
    ports = createFakePorts();
    register = new RegisterUser(ports);
  });

  it('creates a pending user with the normalised email and logs it in', async () => {
    const result = await register.execute(input, CONTEXT);
    expect(result.user).toMatchObject({ email: 'ada@example.com', role: 'user', kycStatus: 'pending' });
    expect(result.session).toMatchObject({ userId: result.user.id, ipAddress: CONTEXT.ipAddress, userAgent: CONTEXT.userAgent });
    expect(await ports.accessTokens.verify(result.accessToken)).toMatchObject({ sub: result.user.id, sid: result.session.id });
    expect(result.refreshTokenExpiresIn).toBe(ports.auth.refreshTokenTtlMs / 1000);
    expect(ports.metrics.registrations).toBe(1);
  });

  it('stores only the hash of the password', async () => {
    const { user } = await register.execute(input, CONTEXT);
    expect(ports.db.passwordHashOf(user.id)).not.toBe(PASSWORD);
    expect(await ports.hasher.verify(ports.db.passwordHashOf(user.id) ?? '', PASSWORD)).toBe(true);
  });

  it('records user.registered in the audit trail and the outbox, with the new session and the request context', async () => {
    const { user, session } = await register.execute(input, CONTEXT);
    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'user.registered',
        userId: user.id,
        actorType: 'user',
        sessionId: session.id,
        requestId: CONTEXT.requestId,
        newState: { email: user.email, role: 'user', kyc_status: 'pending' },
      }),
    ]);
    expect(eventTypes(ports)).toEqual(['user.registered']);
    expect(ports.db.outbox[0]?.metadata).toMatchObject({ request_id: CONTEXT.requestId, traceparent: CONTEXT.traceparent });
  });

  it('applies the password policy before hashing', async () => {
    await expect(register.execute({ ...input, password: 'ada@example.com' }, CONTEXT)).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
    expect(ports.hasher.hashed).toEqual([]);
    expect(ports.db.users).toEqual([]);
  });

  it('refuses an email an active account already has', async () => {
    await seedUser(ports, { email: 'ada@example.com' });
    await expect(register.execute(input, CONTEXT)).rejects.toMatchObject({ code: 'USER_ALREADY_EXISTS' });
    expect(ports.metrics.registrations).toBe(0);
  });

  it('leaves no user, session or audit row behind when the outbox write fails', async () => {
    ports.db.failOutboxWith(new Error('outbox down'));
    await expect(register.execute(input, CONTEXT)).rejects.toThrow('outbox down');
    expect(ports.db.users).toEqual([]);
    expect(await ports.repositories.sessions.countActive(ports.clock.now())).toBe(0);
    expect(ports.db.audit).toEqual([]);
  });
});
