import type { SessionPrincipal } from '../model/session';

/**
 * Resolves the session behind an access token. Implementations may cache briefly (the database
 * stays the source of truth); `invalidate` is called after a revocation commits so this process
 * stops trusting the sessions at once, other processes within their cache lifetime.
 */
export interface SessionPrincipalStore {
  load(sessionId: string): Promise<SessionPrincipal | null>;
  invalidate(sessionIds: readonly string[]): void;
}
