import type { ChangeFeed, ChangeSubscriber } from './change-feed';

export type ReadCacheLookup = 'hit' | 'miss' | 'bypass';

export interface ReadCacheOptions {
  /** How long an entry is kept while nothing announces a change (READ_CACHE_TTL); 0 keeps nothing. */
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
  /** Counts every lookup (the read-cache metrics). */
  onLookup?: (result: ReadCacheLookup) => void;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** A load in flight: readers of the same key share it, and a change announced meanwhile keeps it out of the cache. */
interface Flight<V> {
  promise: Promise<V>;
  invalidated: boolean;
}

const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * Per-process memory of rows read outside transactions, trusted only while its change feed is
 * current (docs/caching.md). Three rules keep it from serving an old row:
 *  - while the feed is not current (disconnected, or its last proof is older than the bound) every
 *    read goes to the database and nothing is kept;
 *  - an announced change drops the entry, and a load of that key still in flight is neither kept
 *    nor shared with readers that arrive after the change;
 *  - a reset (the feed may have missed changes) drops everything, loads in flight included.
 * Readers of one key share one load, so an expired popular entry costs one query, not one per reader.
 */
export class ReadCache<V> implements ChangeSubscriber {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly flights = new Map<string, Flight<V>>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly feed: Pick<ChangeFeed, 'isCurrent'>,
    private readonly options: ReadCacheOptions,
  ) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.now = options.now ?? Date.now;
  }

  get(key: string, load: (key: string) => Promise<V>): Promise<V> {
    if (this.options.ttlMs <= 0 || !this.feed.isCurrent()) {
      this.options.onLookup?.('bypass');
      return load(key);
    }
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) {
      this.options.onLookup?.('hit');
      return Promise.resolve(entry.value);
    }
    this.options.onLookup?.('miss');
    const shared = this.flights.get(key);
    if (shared) return shared.promise;
    const flight: Flight<V> = { promise: load(key), invalidated: false };
    this.flights.set(key, flight);
    flight.promise.then(
      (value) => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
        if (!flight.invalidated && this.feed.isCurrent()) this.keep(key, value);
      },
      () => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      },
    );
    return flight.promise;
  }

  invalidate(key: string): void {
    this.entries.delete(key);
    const flight = this.flights.get(key);
    if (flight) {
      flight.invalidated = true;
      this.flights.delete(key);
    }
  }

  reset(): void {
    this.entries.clear();
    for (const flight of this.flights.values()) flight.invalidated = true;
    this.flights.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.options.ttlMs });
    // Insertion order: the first key is the one kept longest ago.
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
