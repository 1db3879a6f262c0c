import { principalOf, type Session, type SessionPrincipal, type SessionPrincipalStore, type User, type UserReads } from '@pandora/domain';
import type { ReadCache } from './read-cache';

/** What authenticating a request reads of a session; the rest of the row is not kept. */
export type SessionValidity = Pick<Session, 'id' | 'userId' | 'aal' | 'revokedAt' | 'absoluteExpiresAt'>;

/**
 * Users by id through the read cache. Deleted accounts are kept too (as what they are), so that the
 * session check and GetUser share one entry; a caller that did not ask for them gets null.
 */
export class CachedUserReads implements UserReads {
  constructor(
    private readonly cache: ReadCache<User | null>,
    private readonly load: (id: string) => Promise<User | null>,
  ) {}

  async findById(id: string, options: { includeDeleted?: boolean } = {}): Promise<User | null> {
    // Keys are the ids as the triggers announce them: PostgreSQL prints a uuid in lower case.
    const user = await this.cache.get(id.toLowerCase(), this.load);
    return user && (options.includeDeleted === true || user.deletedAt === null) ? user : null;
  }
}

/** The session behind an access token: the session's validity and its owner, each from its own cache entry. */
export class CachedSessionPrincipals implements SessionPrincipalStore {
  constructor(
    private readonly cache: ReadCache<SessionValidity | null>,
    private readonly loadSession: (sessionId: string) => Promise<SessionValidity | null>,
    private readonly users: UserReads,
  ) {}

  async load(sessionId: string): Promise<SessionPrincipal | null> {
    const session = await this.cache.get(sessionId.toLowerCase(), this.loadSession);
    if (!session) return null;
    return principalOf(session, await this.users.findById(session.userId, { includeDeleted: true }));
  }

  invalidate(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.cache.invalidate(id.toLowerCase());
  }
}
