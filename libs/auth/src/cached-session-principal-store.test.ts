import type { SessionPrincipal } from '@pandora/domain';
import { CachedSessionPrincipalStore } from './cached-session-principal-store';

const principal = (revoked: boolean): SessionPrincipal => ({
  sessionId: 's1',
  userId: 'u1',
  email: 'a@b.com',
  role: 'user',
  aal: 1,
  sessionRevokedAt: revoked ? new Date() : null,
  sessionAbsoluteExpiresAt: new Date(Date.now() + 60_000),
  userDeletedAt: null,
});

describe('cached session principal store', () => {
  it('asks the database again once the TTL has passed', async () => {
    let now = 0;
    let revoked = false;
    const loader = jest.fn(async () => principal(revoked));
    const store = new CachedSessionPrincipalStore(loader, 500, 100, () => now);
    expect((await store.load('s1'))?.sessionRevokedAt).toBeNull();
    revoked = true;
    now = 499;
    expect((await store.load('s1'))?.sessionRevokedAt).toBeNull();
    now = 500;
    expect((await store.load('s1'))?.sessionRevokedAt).not.toBeNull();
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('forgets invalidated sessions at once', async () => {
    let revoked = false;
    const store = new CachedSessionPrincipalStore(async () => principal(revoked), 60_000);
    await store.load('s1');
    revoked = true;
    store.invalidate(['s1']);
    expect((await store.load('s1'))?.sessionRevokedAt).not.toBeNull();
  });

  it('does not cache a load that raced with an invalidation', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const loader = async () => {
      calls++;
      if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
      return principal(calls > 1);
    };
    const store = new CachedSessionPrincipalStore(loader, 60_000);
    const stale = store.load('s1');
    store.invalidate(['s1']);
    release();
    expect((await stale)?.sessionRevokedAt).toBeNull();
    expect((await store.load('s1'))?.sessionRevokedAt).not.toBeNull();
  });

  it('stays bounded', async () => {
    const store = new CachedSessionPrincipalStore(async () => principal(false), 60_000, 3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await store.load(id);
    expect((store as unknown as { entries: Map<string, unknown> }).entries.size).toBe(3);
  });
});
