import { CONTEXT, createFakePorts, eventTypes, seedUser, signIn, type FakePorts } from '../testing';
import { LogOut } from './log-out';

describe('LogOut', () => {
  let ports: FakePorts;
  let logOut: LogOut;

  beforeEach(() => {
    ports = createFakePorts();
    logOut = new LogOut(ports);
  });

  it('ends the caller’s current session when no refresh token is given', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    await logOut.execute(principal, {}, CONTEXT);
    expect(ports.db.session(principal.sessionId)?.revokedReason).toBe('logout');
    expect(ports.principals.invalidated).toEqual([principal.sessionId]);
    expect(eventTypes(ports)).toEqual(['session.revoked']);
    expect(ports.db.audit).toEqual([
      expect.objectContaining({ eventType: 'auth.logout', actorType: 'user', sessionId: principal.sessionId }),
    ]);
  });

  it('ends the session of the given refresh token when it is one of the caller’s', async () => {
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const other = await signIn(ports, user);
    await logOut.execute(principal, { refreshToken: other.refreshToken }, CONTEXT);
    expect(ports.db.session(other.session.id)?.revokedAt).not.toBeNull();
    expect(ports.db.session(principal.sessionId)?.revokedAt).toBeNull();
  });

  it('quietly changes nothing for someone else’s, an unknown or a malformed refresh token', async () => {
    const { principal } = await signIn(ports, await seedUser(ports));
    const stranger = await signIn(ports, await seedUser(ports));
    for (const refreshToken of [stranger.refreshToken, 'rt_999', 'garbage']) await logOut.execute(principal, { refreshToken }, CONTEXT);
    expect(ports.db.session(stranger.session.id)?.revokedAt).toBeNull();
    expect(ports.db.session(principal.sessionId)?.revokedAt).toBeNull();
    expect(ports.db.audit).toEqual([]);
  });

  it('is idempotent: logging out twice records the revocation once', async () => {
    const { principal } = await signIn(ports, await seedUser(ports));
    await logOut.execute(principal, {}, CONTEXT);
    await logOut.execute(principal, {}, CONTEXT);
    expect(eventTypes(ports)).toEqual(['session.revoked']);
    expect(ports.db.audit).toHaveLength(1);
  });
});
