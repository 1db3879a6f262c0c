import type { AppError } from '@pandora/errors';
import { NO_REQUEST_CONTEXT, type Actor } from '@pandora/domain';
import { ResetUserMfa } from './reset-user-mfa';
import { InMemoryMfaWorld } from './testing/in-memory-mfa-world';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (error: AppError) => error.code,
  );

describe('ResetUserMfa', () => {
  const admin: Actor = { type: 'admin', id: 'admin-1', identifier: 'grace@example.com' };

  it('removes the factor and recovery codes, revokes every session, with the admin as actor', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addMfaUser();
    const sessions = [world.addSession(user.id), world.addSession(user.id)];
    await world.repositories.recoveryCodes.replaceAll(
      user.id,
      [{ id: 'c1', digest: world.secretBox.digest('ABCDE23456', user.id) }],
      world.clock.now(),
    );

    await expect(
      new ResetUserMfa(world.deps).execute({ userId: user.id, actor: admin, actorSessionId: 's-admin' }, NO_REQUEST_CONTEXT),
    ).resolves.toEqual({
      reset: true,
    });
    expect(world.state.users.get(user.id)).toMatchObject({ mfaEnabled: false, securityChangedAt: world.clock.now() });
    expect(world.state.mfa.has(user.id)).toBe(false);
    expect(world.state.recoveryCodes).toEqual([]);
    expect(world.invalidated.sort()).toEqual(sessions.map((session) => session.id).sort());
    expect(world.events('user.mfa.disabled')).toEqual([
      expect.objectContaining({
        payload: { email: user.email, reason: 'admin_reset' },
        metadata: expect.objectContaining({ actor_id: 'admin-1', actor_type: 'admin' }),
      }),
    ]);
    expect(world.auditRows('user.mfa.disabled')).toEqual([
      expect.objectContaining({ actorType: 'admin', actorIdentifier: 'grace@example.com', sessionId: 's-admin' }),
    ]);
  });

  it('changes nothing for a user without MFA, refuses an admin resetting themself, and 404s the unknown', async () => {
    const world = new InMemoryMfaWorld();
    const user = world.addUser();
    await expect(new ResetUserMfa(world.deps).execute({ userId: user.id, actor: admin }, NO_REQUEST_CONTEXT)).resolves.toEqual({
      reset: false,
    });
    expect(world.events()).toEqual([]);
    expect(await codeOf(new ResetUserMfa(world.deps).execute({ userId: 'admin-1', actor: admin }, NO_REQUEST_CONTEXT))).toBe('FORBIDDEN');
    expect(await codeOf(new ResetUserMfa(world.deps).execute({ userId: 'nobody', actor: admin }, NO_REQUEST_CONTEXT))).toBe(
      'USER_NOT_FOUND',
    );
  });
});
