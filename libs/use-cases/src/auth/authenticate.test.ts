import { passwordAuthentication } from '@pandora/domain';
import { createFakePorts, HOUR_MS, seedUser, signIn, type FakePorts } from '../testing';
import { Authenticate } from './authenticate';

describe('Authenticate', () => {
  let ports: FakePorts;

  beforeEach(() => {
    ports = createFakePorts();
  });

  const authentication = passwordAuthentication(new Date('2026-03-01T12:00:00.000Z'));

  async function tokenFor(role: 'user' | 'admin' = 'user') {
    const user = await seedUser(ports, { role });
    const signedIn = await signIn(ports, user);
    const { token } = await ports.accessTokens.issue({
      userId: user.id,
      email: user.email,
      role,
      sessionId: signedIn.session.id,
      authentication,
    });
    return { user, token, ...signedIn };
  }

  it('turns a valid token of a live session into the caller, with the role from the database', async () => {
    const { user, token, session } = await tokenFor();
    await ports.db.run((repositories) => repositories.users.update(user.id, { role: 'admin' }, ports.clock.now()));
    expect(await new Authenticate(ports).execute(token)).toEqual({
      userId: user.id,
      sessionId: session.id,
      email: user.email,
      role: 'admin',
      aal: 1,
    });
  });

  it('refuses the token of a revoked session with INVALID_TOKEN', async () => {
    const { token, session } = await tokenFor();
    await ports.db.run((repositories) => repositories.sessions.revoke([session.id], 'logout', ports.clock.now()));
    await expect(new Authenticate(ports).execute(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses the token of a deleted account', async () => {
    const { token, user } = await tokenFor();
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await expect(new Authenticate(ports).execute(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses a session past its absolute lifetime', async () => {
    const { user, session } = await tokenFor();
    ports.clock.advance(ports.auth.sessionAbsoluteTtlMs + HOUR_MS);
    const { token } = await ports.accessTokens.issue({
      userId: user.id,
      email: user.email,
      role: 'user',
      sessionId: session.id,
      authentication,
    });
    await expect(new Authenticate(ports).execute(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses a token whose subject is not the session’s user', async () => {
    const { session } = await tokenFor();
    const intruder = await seedUser(ports);
    const { token } = await ports.accessTokens.issue({
      userId: intruder.id,
      email: intruder.email,
      role: 'user',
      sessionId: session.id,
      authentication,
    });
    await expect(new Authenticate(ports).execute(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('passes on what the token service says about a bad token', async () => {
    await expect(new Authenticate(ports).execute('garbage')).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });
});
