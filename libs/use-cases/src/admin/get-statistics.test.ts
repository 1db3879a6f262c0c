import { createFakePorts, HOUR_MS, seedUser, signIn } from '../testing';
import { GetStatistics } from './get-statistics';

describe('GetStatistics', () => {
  it('counts users that are not deleted, by KYC status, and live sessions', async () => {
    const ports = createFakePorts();
    const verified = await seedUser(ports, { kycStatus: 'verified' });
    await seedUser(ports, { kycStatus: 'rejected' });
    const deleted = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.softDelete(deleted.id, ports.clock.now()));
    await signIn(ports, verified);
    const revoked = await signIn(ports, verified);
    await ports.db.run((repositories) => repositories.sessions.revoke([revoked.session.id], 'logout', ports.clock.now()));

    expect(await new GetStatistics(ports).execute()).toEqual({
      totalUsers: 2,
      activeSessions: 1,
      usersByKycStatus: { pending: 0, verified: 1, rejected: 1 },
    });
  });

  it('does not count expired sessions as live', async () => {
    const ports = createFakePorts();
    await signIn(ports, await seedUser(ports));
    ports.clock.advance(ports.auth.refreshTokenTtlMs + HOUR_MS);
    expect((await new GetStatistics(ports).execute()).activeSessions).toBe(0);
  });
});
