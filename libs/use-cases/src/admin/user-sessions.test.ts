import { CONTEXT, createFakePorts, eventTypes, seedUser, signIn } from '../testing';
import { ListUserSessions, RevokeUserSessions } from './user-sessions';

describe('ListUserSessions', () => {
  it('lists the live sessions of any user, newest first', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const older = await signIn(ports, user);
    ports.clock.advance(1_000);
    const newer = await signIn(ports, user);
    const sessions = await new ListUserSessions(ports).execute(user.id);
    expect(sessions.map((session) => session.id)).toEqual([newer.session.id, older.session.id]);
  });

  it('answers USER_NOT_FOUND for an unknown user', async () => {
    await expect(new ListUserSessions(createFakePorts()).execute('00000000-0000-4000-8000-999999999999')).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });
});

describe('RevokeUserSessions', () => {
  it('revokes every session of the user: one audit row and one session.revoked event by the administrator', async () => {
    const ports = createFakePorts();
    const { principal } = await signIn(ports, await seedUser(ports, { role: 'admin', email: 'root@example.com' }));
    const user = await seedUser(ports);
    const sessions = [(await signIn(ports, user)).session.id, (await signIn(ports, user)).session.id].sort();

    expect(await new RevokeUserSessions(ports).execute(principal, { userId: user.id }, CONTEXT)).toEqual(sessions);
    expect(ports.principals.invalidated).toEqual(sessions);
    expect(eventTypes(ports)).toEqual(['session.revoked']);
    expect(ports.db.outbox[0]?.payload).toEqual({ session_ids: sessions, reason: 'admin_revoked' });
    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'session.revoked',
        actorType: 'admin',
        sessionId: principal.sessionId,
        metadata: { session_ids: sessions, reason: 'admin_revoked' },
      }),
    ]);
  });

  it('records nothing when the user has no live session', async () => {
    const ports = createFakePorts();
    const { principal } = await signIn(ports, await seedUser(ports, { role: 'admin' }));
    const user = await seedUser(ports);
    expect(await new RevokeUserSessions(ports).execute(principal, { userId: user.id }, CONTEXT)).toEqual([]);
    expect(ports.db.audit).toEqual([]);
    expect(eventTypes(ports)).toEqual([]);
  });
});
