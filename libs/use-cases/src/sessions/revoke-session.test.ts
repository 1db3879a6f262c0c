import { CONTEXT, createFakePorts, seedUser, signIn } from '../testing';
import { RevokeOwnSession } from './revoke-session';

describe('RevokeOwnSession', () => {
  it('revokes one of the caller’s sessions, recorded as user_revoked', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const other = await signIn(ports, user);
    await new RevokeOwnSession(ports).execute(principal, other.session.id, CONTEXT);
    expect(ports.db.session(other.session.id)?.revokedReason).toBe('user_revoked');
    expect(ports.db.audit).toEqual([expect.objectContaining({ eventType: 'session.revoked', sessionId: principal.sessionId })]);
    expect(ports.principals.invalidated).toEqual([other.session.id]);
  });

  it('answers NOT_FOUND for someone else’s session, exactly like an unknown one', async () => {
    const ports = createFakePorts();
    const { principal } = await signIn(ports, await seedUser(ports));
    const stranger = await signIn(ports, await seedUser(ports));
    const revoke = new RevokeOwnSession(ports);
    await expect(revoke.execute(principal, stranger.session.id, CONTEXT)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Session not found.',
    });
    await expect(revoke.execute(principal, '00000000-0000-4000-8000-999999999999', CONTEXT)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Session not found.',
    });
    expect(ports.db.session(stranger.session.id)?.revokedAt).toBeNull();
  });
});
