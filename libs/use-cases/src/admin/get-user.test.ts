import { createFakePorts, seedUser } from '../testing';
import { GetAdminUser, GetUser, GetUserByEmail } from './get-user';

describe('GetUser', () => {
  it('hides a deleted user unless the caller asks for deleted users', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await expect(new GetUser(ports).execute(user.id, { includeDeleted: false })).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect((await new GetUser(ports).execute(user.id, { includeDeleted: true })).id).toBe(user.id);
  });
});

describe('GetUserByEmail', () => {
  it('finds the active account whatever the case of the email', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports, { email: 'ada@example.com' });
    expect((await new GetUserByEmail(ports).execute('ADA@Example.COM')).id).toBe(user.id);
  });

  it('answers USER_NOT_FOUND for an unknown email', async () => {
    await expect(new GetUserByEmail(createFakePorts()).execute('nobody@example.com')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});

describe('GetAdminUser', () => {
  it('shows deleted users too, with their login lock', async () => {
    const ports = createFakePorts();
    const user = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    const until = new Date(ports.clock.now().getTime() + 60_000);
    ports.loginThrottle.locks.set(user.email, until);
    expect(await new GetAdminUser(ports).execute(user.id)).toMatchObject({ id: user.id, deletedAt: ports.clock.now(), lockedUntil: until });
  });

  it('answers USER_NOT_FOUND for an unknown id', async () => {
    await expect(new GetAdminUser(createFakePorts()).execute('00000000-0000-4000-8000-999999999999')).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });
});
