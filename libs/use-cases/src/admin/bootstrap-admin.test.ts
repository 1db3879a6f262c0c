import { createFakePorts, eventTypes, PASSWORD, seedUser, signIn, type FakePorts } from '../testing';
import { BootstrapAdmin } from './bootstrap-admin';

describe('BootstrapAdmin', () => {
  let ports: FakePorts;
  let bootstrap: BootstrapAdmin;
  const input = (email: string, password = PASSWORD) => ({ email, firstName: 'Grace', lastName: 'Hopper', password: async () => password });

  beforeEach(() => {
    ports = createFakePorts();
    bootstrap = new BootstrapAdmin(ports);
  });

  it('creates an administrator, audited as admin.created by the CLI and announced as user.registered', async () => {
    const { user, outcome } = await bootstrap.execute(input('Grace@Example.com'));
    expect(outcome).toBe('created');
    expect(user).toMatchObject({ email: 'grace@example.com', role: 'admin' });
    expect(ports.db.audit).toEqual([
      expect.objectContaining({ eventType: 'admin.created', actorType: 'system', actorIdentifier: 'admin:create', severity: 'warning' }),
    ]);
    expect(eventTypes(ports)).toEqual(['user.registered']);
  });

  it('promotes an existing account without asking for a password, revoking its sessions', async () => {
    const existing = await seedUser(ports, { email: 'grace@example.com' });
    const { session } = await signIn(ports, existing);
    let asked = false;
    const { user, outcome } = await bootstrap.execute({
      ...input('grace@example.com'),
      password: async () => {
        asked = true;
        return PASSWORD;
      },
    });
    expect([outcome, user.role, asked]).toEqual(['promoted', 'admin', false]);
    expect(ports.db.session(session.id)?.revokedReason).toBe('role_changed');
    expect(eventTypes(ports)).toEqual(['user.role.changed', 'session.revoked']);
    expect(ports.db.audit[0]).toMatchObject({ eventType: 'user.role.changed', actorIdentifier: 'admin:create', sessionId: null });
  });

  it('leaves an administrator as it is', async () => {
    await seedUser(ports, { email: 'grace@example.com', role: 'admin' });
    expect((await bootstrap.execute(input('grace@example.com'))).outcome).toBe('already_admin');
    expect(ports.db.audit).toEqual([]);
  });

  it('applies the password policy to a new account before hashing', async () => {
    await expect(bootstrap.execute(input('grace@example.com', 'password'))).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
    expect(ports.hasher.hashed).toEqual([]);
  });

  it('refuses an invalid email as invalid input', async () => {
    await expect(bootstrap.execute(input('not-an-email'))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: [{ field: 'email', message: 'must be a valid email address' }],
    });
  });
});
