import { createFakePorts, seedUser } from '../testing';
import { withLoginLock, withLoginLocks } from './admin-user';

describe('the admin view of a user', () => {
  it('carries when the login lock on the user’s email ends', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    const until = new Date(ports.clock.now().getTime() + 60_000);
    ports.loginThrottle.locks.set(user.email, until);
    expect(await withLoginLock(ports, user)).toEqual({ ...user, lockedUntil: until });
  });

  it('says not locked when there is no lock', async () => {
    const ports = createFakePorts();
    const [first, second] = [await seedUser(ports), await seedUser(ports)];
    ports.loginThrottle.locks.set(second.email, new Date(ports.clock.now().getTime() + 1_000));
    const views = await withLoginLocks(ports, [first, second]);
    expect(views.map((view) => view.lockedUntil === null)).toEqual([true, false]);
  });

  it('reads a throttle that cannot answer as no lock rather than failing the admin answer', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    ports.loginThrottle.lockedUntil = async () => {
      throw new Error('redis down');
    };
    expect((await withLoginLock(ports, user)).lockedUntil).toBeNull();
  });
});
