import type { SessionPrincipal, SessionPrincipalStore } from '@pandora/domain';

/**
 * Remembers, per process and for at most `ttlMs` (SESSION_CACHE_TTL, ≤ 1 s), what the database said
 * about a session. A revocation in this process invalidates at once; one in another replica is
 * seen within `ttlMs`. The database stays the source of truth: nothing here survives a restart and
 * nothing depends on Redis.
 */
export class CachedSessionPrincipalStore implements SessionPrincipalStore {
  private readonly entries = new Map<string, { value: SessionPrincipal | null; expiresAt: number }>();
  /** Bumped on every invalidation: a load that started before one must not be cached. */
  private epoch = 0;

  constructor(
    private readonly loader: (sessionId: string) => Promise<SessionPrincipal | null>,
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  async load(sessionId: string): Promise<SessionPrincipal | null> {
    const cached = this.entries.get(sessionId);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    const epochAtStart = this.epoch;
    const value = await this.loader(sessionId);
    if (this.ttlMs > 0 && epochAtStart === this.epoch) {
      this.entries.delete(sessionId);
      this.entries.set(sessionId, { value, expiresAt: this.now() + this.ttlMs });
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }

  invalidate(sessionIds: readonly string[]): void {
    if (sessionIds.length === 0) return;
    this.epoch++;
    for (const id of sessionIds) this.entries.delete(id);
  }
}
