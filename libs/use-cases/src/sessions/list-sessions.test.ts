import { createFakePorts, HOUR_MS, seedUser, signIn } from '../testing';
import { ListSessions } from './list-sessions';

describe('ListSessions', () => {
  it('lists the user’s live sessions newest first, without revoked or expired ones', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const expired = await signIn(ports, user);
    ports.clock.advance(ports.auth.refreshTokenTtlMs - HOUR_MS);
    const revoked = await signIn(ports, user);
    await ports.db.run((repositories) => repositories.sessions.revoke([revoked.session.id], 'logout', ports.clock.now()));
    const live = await signIn(ports, user);
    ports.clock.advance(2 * HOUR_MS);

    const sessions = await new ListSessions(ports).execute(user.id);
    expect(sessions.map((session) => session.id)).toEqual([live.session.id]);
    expect(sessions.map((session) => session.id)).not.toContain(expired.session.id);
  });
});
