import type { AppError } from '@pandora/errors';
import { auditTypes, CONTEXT, createFakePorts, eventTypes, seedUser, signIn } from '../testing';
import { UnfreezeAccount } from './unfreeze-account';

describe('UnfreezeAccount', () => {
  async function scene() {
    const ports = createFakePorts();
    const admin = await signIn(ports, await seedUser(ports, { role: 'admin', email: 'grace@example.com' }));
    return { ports, admin: admin.principal, unfreeze: new UnfreezeAccount(ports) };
  }

  it('lifts the freeze with the administrator as actor of the event and the audit row', async () => {
    const { ports, admin, unfreeze } = await scene();
    const user = await seedUser(ports);
    const frozenAt = ports.clock.now();
    await ports.db.run((repositories) => repositories.users.update(user.id, { frozenAt }, frozenAt));
    ports.clock.advance(60_000);

    await expect(unfreeze.execute(admin, { userId: user.id }, CONTEXT)).resolves.toEqual({ unfrozen: true });
    expect((await ports.repositories.users.findById(user.id))?.frozenAt).toBeNull();
    expect(ports.db.outbox).toEqual([
      expect.objectContaining({
        type: 'user.account.unfrozen',
        payload: { email: user.email },
        metadata: expect.objectContaining({ actor_id: admin.userId, actor_type: 'admin' }),
      }),
    ]);
    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'user.account.unfrozen',
        actorType: 'admin',
        userId: user.id,
        previousState: { frozen_at: frozenAt.toISOString() },
      }),
    ]);
  });

  it('leaves an account that is not frozen alone: no event, no audit row', async () => {
    const { ports, admin, unfreeze } = await scene();
    const user = await seedUser(ports);
    await expect(unfreeze.execute(admin, { userId: user.id }, CONTEXT)).resolves.toEqual({ unfrozen: false });
    expect(eventTypes(ports)).toEqual([]);
    expect(auditTypes(ports)).toEqual([]);
  });

  it('answers USER_NOT_FOUND for an unknown or deleted user', async () => {
    const { ports, admin, unfreeze } = await scene();
    const user = await seedUser(ports);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    for (const userId of [user.id, '00000000-0000-4000-8000-999999999999']) {
      await expect(unfreeze.execute(admin, { userId }, CONTEXT).catch((error: AppError) => error.code)).resolves.toBe('USER_NOT_FOUND');
    }
  });
});
