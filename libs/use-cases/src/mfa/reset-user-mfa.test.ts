import { codeOf, CONTEXT, createFakePorts, eventTypes, noticesQueued, seedMfaUser, seedUser, signIn } from '../testing';
import { ResetUserMfa } from './reset-user-mfa';

describe('ResetUserMfa', () => {
  async function scene() {
    const ports = createFakePorts();
    const admin = await signIn(ports, await seedUser(ports, { role: 'admin', email: 'grace@example.com' }));
    return { ports, admin: admin.principal, reset: new ResetUserMfa(ports) };
  }

  it('removes the factor and recovery codes, revokes every session, with the admin as actor', async () => {
    const { ports, admin, reset } = await scene();
    const user = await seedMfaUser(ports);
    const sessions = [await signIn(ports, user), await signIn(ports, user)].map((signedIn) => signedIn.session.id);
    await ports.db.run((repositories) =>
      repositories.recoveryCodes.replaceAll(
        user.id,
        [{ id: ports.ids.newId(), digest: ports.secretBox.digest('ABCDE23456', user.id) }],
        ports.clock.now(),
      ),
    );

    await expect(reset.execute(admin, { userId: user.id }, CONTEXT)).resolves.toEqual({ reset: true });
    expect(await ports.repositories.users.findById(user.id)).toMatchObject({ mfaEnabled: false, securityChangedAt: ports.clock.now() });
    expect(ports.db.mfaOf(user.id)).toBeUndefined();
    expect(ports.db.recoveryCodes).toEqual([]);
    expect([...ports.principals.invalidated].sort()).toEqual([...sessions].sort());
    expect(eventTypes(ports)).toEqual(['session.revoked', 'user.mfa.disabled']);
    expect(noticesQueued(ports)).toEqual([
      expect.objectContaining({ template: 'mfa_disabled', recipient: user.email, data: expect.objectContaining({ by: 'admin' }) }),
    ]);
    expect(ports.db.outbox.filter((event) => event.type === 'user.mfa.disabled')).toEqual([
      expect.objectContaining({
        payload: { email: user.email, reason: 'admin_reset' },
        metadata: expect.objectContaining({ actor_id: admin.userId, actor_type: 'admin' }),
      }),
    ]);
    expect(ports.db.audit.filter((entry) => entry.eventType === 'user.mfa.disabled')).toEqual([
      expect.objectContaining({ actorType: 'admin', actorIdentifier: 'grace@example.com', sessionId: admin.sessionId }),
    ]);
  });

  it('changes nothing for a user without MFA, refuses an admin resetting themself, and 404s the unknown', async () => {
    const { ports, admin, reset } = await scene();
    const user = await seedUser(ports);
    await expect(reset.execute(admin, { userId: user.id }, CONTEXT)).resolves.toEqual({ reset: false });
    expect(eventTypes(ports)).toEqual([]);
    expect(await codeOf(reset.execute(admin, { userId: admin.userId }, CONTEXT))).toBe('FORBIDDEN');
    expect(await codeOf(reset.execute(admin, { userId: '00000000-0000-4000-8000-999999999999' }, CONTEXT))).toBe('USER_NOT_FOUND');
  });
});
