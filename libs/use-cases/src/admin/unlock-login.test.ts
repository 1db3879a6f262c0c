import { CONTEXT, createFakePorts, seedUser, signIn } from '../testing';
import { UnlockLogin } from './unlock-login';

describe('UnlockLogin', () => {
  it('clears the lock and the failure count of the user’s email, and audits what it lifted', async () => {
    const ports = createFakePorts();
    const { principal } = await signIn(ports, await seedUser(ports, { role: 'admin', email: 'root@example.com' }));
    const user = await seedUser(ports);
    const until = new Date(ports.clock.now().getTime() + 60_000);
    ports.loginThrottle.locks.set(user.email, until);
    ports.loginThrottle.failures.set(user.email, 5);

    await new UnlockLogin(ports).execute(principal, { userId: user.id }, CONTEXT);
    expect(await ports.loginThrottle.lockedUntil(user.email)).toBeNull();
    expect(ports.loginThrottle.failures.has(user.email)).toBe(false);
    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'admin.login_unlocked',
        userId: user.id,
        actorType: 'admin',
        actorIdentifier: 'root@example.com',
        sessionId: principal.sessionId,
        metadata: { was_locked_until: until.toISOString() },
      }),
    ]);
  });

  it('unlocks a deleted account too, and answers USER_NOT_FOUND for an unknown one', async () => {
    const ports = createFakePorts();
    const { principal } = await signIn(ports, await seedUser(ports, { role: 'admin' }));
    const user = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await new UnlockLogin(ports).execute(principal, { userId: user.id }, CONTEXT);
    expect(ports.loginThrottle.calls).toContain(`clear ${user.email}`);
    await expect(
      new UnlockLogin(ports).execute(principal, { userId: '00000000-0000-4000-8000-999999999999' }, CONTEXT),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});
