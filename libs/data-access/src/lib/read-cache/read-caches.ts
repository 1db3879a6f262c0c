import type { Repositories, SessionPrincipalStore, UserReads } from '@pandora/domain';
import { CachedSessionPrincipals, CachedUserReads, type SessionValidity } from './cached-reads';
import { PgChangeFeed, type PgChangeFeedOptions } from './pg-change-feed';
import { ReadCache, type ReadCacheLookup } from './read-cache';

export interface ReadCachesOptions {
  /** READ_CACHE_TTL: 0 turns the caches (and their listening session) off. */
  ttlMs: number;
  /** DATABASE_DIRECT_URL, for the listening session. */
  directUrl: string;
  applicationName: string;
  maxEntries?: number;
  onLookup?: (cache: 'user' | 'session', result: ReadCacheLookup) => void;
  onConnectionChange?: PgChangeFeedOptions['onConnectionChange'];
  /** Tests shorten the feed's timings. */
  feed?: Pick<PgChangeFeedOptions, 'maxStalenessMs' | 'proofIntervalMs' | 'syncTimeoutMs'>;
}

/** The cached reads of one process, and what its writers and its shutdown need of them. */
export interface ReadCaches {
  users: UserReads;
  principals: SessionPrincipalStore;
  /** Called by the unit of work after each commit: this process then reads its own writes. */
  afterCommit(): Promise<void>;
  /** For the metrics: whether the caches may serve right now. */
  isCurrent(): boolean;
  close(): Promise<void>;
}

/** The users and sessions a process reads on every authenticated request, cached behind one change feed (docs/caching.md). */
export function openReadCaches(repositories: Pick<Repositories, 'users' | 'sessions'>, options: ReadCachesOptions): ReadCaches {
  const loadUser = (id: string) => repositories.users.findById(id, { includeDeleted: true });
  const loadSession = async (id: string): Promise<SessionValidity | null> => {
    const session = await repositories.sessions.findById(id);
    return (
      session && {
        id: session.id,
        userId: session.userId,
        aal: session.aal,
        revokedAt: session.revokedAt,
        absoluteExpiresAt: session.absoluteExpiresAt,
      }
    );
  };
  const feed =
    options.ttlMs > 0
      ? new PgChangeFeed({
          url: options.directUrl,
          applicationName: options.applicationName,
          ...options.feed,
          ...(options.onConnectionChange ? { onConnectionChange: options.onConnectionChange } : {}),
        })
      : null;
  const cacheOf = <V>(name: 'user' | 'session') =>
    new ReadCache<V>(feed ?? { isCurrent: () => false }, {
      ttlMs: options.ttlMs,
      ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}),
      ...(options.onLookup ? { onLookup: (result: ReadCacheLookup) => options.onLookup?.(name, result) } : {}),
    });
  const userCache = cacheOf<Awaited<ReturnType<typeof loadUser>>>('user');
  const sessionCache = cacheOf<SessionValidity | null>('session');
  feed?.subscribe('u', userCache);
  feed?.subscribe('s', sessionCache);
  feed?.start();
  const users = new CachedUserReads(userCache, loadUser);
  return {
    users,
    principals: new CachedSessionPrincipals(sessionCache, loadSession, users),
    afterCommit: () => feed?.sync() ?? Promise.resolve(),
    isCurrent: () => feed?.isCurrent() ?? false,
    close: () => feed?.close() ?? Promise.resolve(),
  };
}
