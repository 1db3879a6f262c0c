import { CONTEXT, createFakePorts, eventTypes, seedUser, signIn, type FakePorts } from '../testing';
import { UpdateProfile } from './update-profile';

describe('UpdateProfile', () => {
  let ports: FakePorts;
  let updateProfile: UpdateProfile;

  beforeEach(() => {
    ports = createFakePorts();
    updateProfile = new UpdateProfile(ports);
  });

  it('changes only the given names and moves updated_at', async () => {
    const user = await seedUser(ports, { firstName: 'Ada', lastName: 'Lovelace' });
    const { principal } = await signIn(ports, user);
    ports.clock.advance(1_000);
    const after = await updateProfile.execute(principal, { firstName: 'Augusta' }, CONTEXT);
    expect(after).toMatchObject({ firstName: 'Augusta', lastName: 'Lovelace', updatedAt: ports.clock.now() });
  });

  it('records the before and after names in the audit row and announces the new profile', async () => {
    const user = await seedUser(ports, { firstName: 'Ada', lastName: 'Lovelace' });
    const { principal } = await signIn(ports, user);
    await updateProfile.execute(principal, { firstName: 'Augusta', lastName: 'King' }, CONTEXT);
    expect(ports.db.audit[0]).toMatchObject({
      eventType: 'user.profile.updated',
      previousState: { first_name: 'Ada', last_name: 'Lovelace' },
      newState: { first_name: 'Augusta', last_name: 'King' },
    });
    expect(ports.db.outbox[0]).toMatchObject({
      type: 'user.profile.updated',
      payload: { email: user.email, first_name: 'Augusta', last_name: 'King' },
    });
  });

  it('treats the names the profile already has as a no-op: no audit row, no event', async () => {
    const user = await seedUser(ports, { firstName: 'Ada', lastName: 'Lovelace' });
    const { principal } = await signIn(ports, user);
    expect(await updateProfile.execute(principal, { firstName: 'Ada', lastName: 'Lovelace' }, CONTEXT)).toEqual(user);
    expect(ports.db.audit).toEqual([]);
    expect(eventTypes(ports)).toEqual([]);
  });

  it('keeps the old names when the outbox write fails', async () => {
    const user = await seedUser(ports, { firstName: 'Ada' });
    const { principal } = await signIn(ports, user);
    ports.db.failOutboxWith(new Error('outbox down'));
    await expect(updateProfile.execute(principal, { firstName: 'Augusta' }, CONTEXT)).rejects.toThrow('outbox down');
    expect((await ports.repositories.users.findById(user.id))?.firstName).toBe('Ada');
    expect(ports.db.audit).toEqual([]);
  });
});
