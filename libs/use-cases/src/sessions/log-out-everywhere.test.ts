import { CONTEXT, createFakePorts, seedUser, signIn } from '../testing';
import { LogOutEverywhere } from './log-out-everywhere';

describe('LogOutEverywhere', () => {
  it('revokes every session of the caller, the current one included, in one event', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const { principal } = await signIn(ports, user);
    const other = await signIn(ports, user);
    const bystander = await signIn(ports, await seedUser(ports));
    await new LogOutEverywhere(ports).execute(principal, CONTEXT);

    const revoked = [principal.sessionId, other.session.id].sort();
    expect(ports.db.outbox).toEqual([
      expect.objectContaining({ type: 'session.revoked', payload: { session_ids: revoked, reason: 'logout_all' } }),
    ]);
    expect(ports.db.audit).toEqual([
      expect.objectContaining({ eventType: 'auth.logout_all', metadata: { session_ids: revoked, reason: 'logout_all' } }),
    ]);
    expect(ports.principals.invalidated).toEqual(revoked);
    expect(ports.db.session(bystander.session.id)?.revokedAt).toBeNull();
  });
});
