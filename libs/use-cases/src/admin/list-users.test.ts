import { createFakePorts, seedUser } from '../testing';
import { ListAdminUsers, ListUsers } from './list-users';

const page = { includeDeleted: false, limit: 20, offset: 0 };

describe('ListUsers', () => {
  it('returns matches newest first with the total of all matches', async () => {
    const ports = createFakePorts();
    const first = await seedUser(ports, { firstName: 'Ada' });
    ports.clock.advance(1_000);
    const second = await seedUser(ports, { firstName: 'Adam' });
    ports.clock.advance(1_000);
    await seedUser(ports, { firstName: 'Grace' });
    const { users, total } = await new ListUsers(ports).execute({ ...page, query: 'ada', limit: 1 });
    expect(total).toBe(2);
    expect(users.map((user) => user.id)).toEqual([second.id]);
    expect((await new ListUsers(ports).execute({ ...page, query: 'ada', offset: 1 })).users.map((user) => user.id)).toEqual([first.id]);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ limit: 1.5 }, 'limit'],
    [{ offset: -1 }, 'offset'],
  ])('refuses the page %j as invalid input on %s', async (bad, field) => {
    await expect(new ListUsers(createFakePorts()).execute({ ...page, ...bad })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: [expect.objectContaining({ field })],
    });
  });
});

describe('ListAdminUsers', () => {
  it('answers each user with its login lock', async () => {
    const ports = createFakePorts();
    const locked = await seedUser(ports);
    await seedUser(ports);
    ports.loginThrottle.locks.set(locked.email, new Date(ports.clock.now().getTime() + 60_000));
    const { users, total } = await new ListAdminUsers(ports).execute(page);
    expect(total).toBe(2);
    expect(users.map((user) => [user.id === locked.id, user.lockedUntil !== null])).toEqual(
      expect.arrayContaining([
        [true, true],
        [false, false],
      ]),
    );
  });

  it('validates the page like the plain search', async () => {
    await expect(new ListAdminUsers(createFakePorts()).execute({ ...page, limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
