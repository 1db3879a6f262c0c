/**
 * What audit-cleanup-worker removes (docs/audit-trail.md#retention). The names are also the `kind` label of
 * `audit_cleanup_deleted_total`. `refresh_tokens` are the tokens of sessions about to be deleted:
 * deleting a session would cascade into every token it ever rotated (thousands for a long-lived
 * one), an unbounded delete inside one batch, so they go first in batches of their own.
 */
export const RETENTION_KINDS = ['audit_logs', 'refresh_tokens', 'sessions', 'outbox_events'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

export type RetentionCounts = Record<RetentionKind, number>;

/**
 * A row of a kind is expired when its timestamp lies before the kind's cutoff:
 *  - audit_logs: `retention_until` (cutoff = now);
 *  - sessions: `expires_at` or `revoked_at` (cutoff = now − the session window);
 *  - refresh_tokens: those of an expired session (the session cutoff);
 *  - outbox_events: `published_at`; unpublished rows never expire (cutoff = now − the outbox window).
 */
export type RetentionCutoffs = Record<RetentionKind, Date>;

export interface RetentionStore {
  /**
   * The database's clock. The audit trigger judges retention by it, so cutoffs are taken from it
   * too: a skewed application clock can then never select a row the database still protects.
   */
  now(): Promise<Date>;
  countExpired(kind: RetentionKind, cutoff: Date): Promise<number>;
  /**
   * Deletes at most `limit` expired rows of `kind` in one short transaction, oldest first along
   * the kind's index, skipping rows another transaction holds. Returns how many it deleted; 0 means
   * nothing expired is left (apart from rows that were locked, which the next run picks up).
   * For `refresh_tokens` the batch takes only tokens of the sessions the next `sessions` batch will
   * pick, so 0 means that session batch is ready: its cascade has (almost) nothing left to delete.
   */
  deleteExpiredBatch(kind: RetentionKind, cutoff: Date, limit: number): Promise<number>;
}
