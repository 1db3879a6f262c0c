import { CONTEXT, createFakePorts, seedUser, signIn, type FakePorts } from '../testing';
import { UpdateProfile } from '../account/update-profile';
import { QueryAuditLog } from './query-audit-log';

/** Five audit rows about one user, one second apart. */
async function fiveChanges(ports: FakePorts) {
  const user = await seedUser(ports);
  const { principal } = await signIn(ports, user);
  for (const name of ['A', 'B', 'C', 'D', 'E']) {
    ports.clock.advance(1_000);
    await new UpdateProfile(ports).execute(principal, { firstName: name }, CONTEXT);
  }
  return user;
}

describe('QueryAuditLog', () => {
  it('pages newest first, the last page without a next position', async () => {
    const ports = createFakePorts();
    await fiveChanges(ports);
    const query = new QueryAuditLog(ports);
    const first = await query.execute({ limit: 2 });
    const second = await query.execute({ limit: 2, ...(first.next ? { before: first.next } : {}) });
    const third = await query.execute({ limit: 2, ...(second.next ? { before: second.next } : {}) });
    const names = (page: typeof first) => page.items.map((item) => item.newState?.first_name);
    expect([names(first), names(second), names(third)]).toEqual([['E', 'D'], ['C', 'B'], ['A']]);
    expect(third.next).toBeNull();
  });

  it('keeps its place while newer rows arrive', async () => {
    const ports = createFakePorts();
    const user = await fiveChanges(ports);
    const query = new QueryAuditLog(ports);
    const first = await query.execute({ limit: 2 });
    const { principal } = await signIn(ports, user);
    ports.clock.advance(1_000);
    await new UpdateProfile(ports).execute(principal, { firstName: 'F' }, CONTEXT);
    const second = await query.execute({ limit: 2, ...(first.next ? { before: first.next } : {}) });
    expect(second.items.map((item) => item.newState?.first_name)).toEqual(['C', 'B']);
  });

  it('refuses a page size outside 1–200 and a time range that ends before it starts', async () => {
    const query = new QueryAuditLog(createFakePorts());
    await expect(query.execute({ limit: 201 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(query.execute({ limit: 10, from: new Date('2026-02-02'), to: new Date('2026-02-01') })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: [{ field: 'from', message: 'must not be after to' }],
    });
  });
});
