import type { SessionPrincipal } from '../model/session';

/**
 * Resolves the session behind an access token. Implementations may cache (the database stays the
 * source of truth; docs/caching.md bounds how old an answer may be: 1 s). `invalidate` is called
 * after a revocation commits, so this process stops trusting those sessions at once.
 */
export interface SessionPrincipalStore {
  load(sessionId: string): Promise<SessionPrincipal | null>;
  invalidate(sessionIds: readonly string[]): void;
}
