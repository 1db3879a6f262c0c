import { CONTEXT, createFakePorts, seedUser, signIn } from '../testing';
import { announceRevokedSessions } from './end-sessions';

describe('announceRevokedSessions', () => {
  const actor = { type: 'admin' as const, id: '00000000-0000-4000-8000-00000000abcd', identifier: 'root@example.com' };

  it('writes one session.revoked event with the sessions, the reason and the actor', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const { session } = await signIn(ports, user);
    await ports.uow.run((repositories) =>
      announceRevokedSessions(ports, repositories, CONTEXT, actor, {
        userId: user.id,
        sessionIds: [session.id],
        reason: 'role_changed',
        at: ports.clock.now(),
      }),
    );
    expect(ports.db.outbox).toEqual([
      expect.objectContaining({
        type: 'session.revoked',
        userId: user.id,
        payload: { session_ids: [session.id], reason: 'role_changed' },
        metadata: expect.objectContaining({ actor_id: actor.id, actor_type: 'admin', request_id: CONTEXT.requestId }),
      }),
    ]);
  });

  it('writes nothing when nothing was revoked', async () => {
    const ports = createFakePorts();
    await ports.uow.run((repositories) =>
      announceRevokedSessions(ports, repositories, CONTEXT, actor, {
        userId: actor.id,
        sessionIds: [],
        reason: 'logout',
        at: ports.clock.now(),
      }),
    );
    expect(ports.db.outbox).toEqual([]);
  });
});
