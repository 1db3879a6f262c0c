/** What a cached entry is about: a user row ('u') or a session row ('s'), as the triggers announce it. */
export type ChangeKind = 'u' | 's';

/** Something that holds entries the feed may invalidate: one id, or everything. */
export interface ChangeSubscriber {
  invalidate(id: string): void;
  /** The feed may have missed changes (it reconnected or stopped proving itself): drop everything. */
  reset(): void;
}

/**
 * Where a cache learns that a row it holds changed, and whether it may serve what it holds right
 * now. `isCurrent()` is true only while the feed has proved, within the staleness bound, that every
 * change committed before the proof has reached its subscribers.
 */
export interface ChangeFeed {
  isCurrent(): boolean;
  subscribe(kind: ChangeKind, subscriber: ChangeSubscriber): void;
}
