import { ReadCache, type ReadCacheLookup } from './read-cache';

/** A feed whose currency the test sets; a clock the test moves. */
function setUp(options: { ttlMs?: number; maxEntries?: number } = {}) {
  const feed = { current: true, isCurrent: () => feed.current };
  const clock = { now: 0 };
  const lookups: ReadCacheLookup[] = [];
  const cache = new ReadCache<string>(feed, {
    ttlMs: options.ttlMs ?? 30_000,
    ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}),
    now: () => clock.now,
    onLookup: (result) => lookups.push(result),
  });
  const database = new Map<string, string>([['a', 'a1']]);
  const loads: string[] = [];
  const load = async (key: string) => {
    loads.push(key);
    return database.get(key) ?? 'none';
  };
  return { feed, clock, cache, database, loads, load, lookups };
}

/** A load the test finishes when it wants: what a query still in flight looks like. */
function deferredLoad() {
  let finish!: (value: string) => void;
  const promise = new Promise<string>((resolve) => {
    finish = resolve;
  });
  return { load: () => promise, finish };
}

describe('ReadCache', () => {
  it('answers from memory until the entry expires, then asks the database again', async () => {
    const { cache, clock, database, load, loads, lookups } = setUp({ ttlMs: 1_000 });
    expect(await cache.get('a', load)).toBe('a1');
    database.set('a', 'a2');
    clock.now = 999;
    expect(await cache.get('a', load)).toBe('a1');
    clock.now = 1_000;
    expect(await cache.get('a', load)).toBe('a2');
    expect(loads).toEqual(['a', 'a']);
    expect(lookups).toEqual(['miss', 'hit', 'miss']);
  });

  it('drops an entry the moment its change is announced', async () => {
    const { cache, database, load } = setUp();
    await cache.get('a', load);
    database.set('a', 'a2');
    cache.invalidate('a');
    expect(await cache.get('a', load)).toBe('a2');
  });

  it('serves nothing from memory and keeps nothing while the feed is not current', async () => {
    const { cache, feed, database, load, loads, lookups } = setUp();
    await cache.get('a', load);
    feed.current = false;
    database.set('a', 'a2');
    expect(await cache.get('a', load)).toBe('a2');
    expect(await cache.get('a', load)).toBe('a2');
    expect(lookups).toEqual(['miss', 'bypass', 'bypass']);
    expect(loads).toHaveLength(3);
  });

  it('keeps serving what it holds once the feed is current again, since late announcements arrive before that', async () => {
    const { cache, feed, load, lookups } = setUp();
    await cache.get('a', load);
    feed.current = false;
    feed.current = true;
    expect(await cache.get('a', load)).toBe('a1');
    expect(lookups).toEqual(['miss', 'hit']);
  });

  it('does not keep a load that was in flight when its key changed', async () => {
    const { cache, database, load } = setUp();
    const slow = deferredLoad();
    const stale = cache.get('a', slow.load);
    cache.invalidate('a');
    slow.finish('a1-read-before-the-change');
    expect(await stale).toBe('a1-read-before-the-change');
    database.set('a', 'a2');
    expect(await cache.get('a', load)).toBe('a2');
  });

  it('does not hand a load in flight to readers that arrive after its key changed', async () => {
    const { cache, database, load } = setUp();
    const slow = deferredLoad();
    const first = cache.get('a', slow.load);
    cache.invalidate('a');
    database.set('a', 'a2');
    const afterTheChange = cache.get('a', load);
    slow.finish('a1');
    expect(await first).toBe('a1');
    expect(await afterTheChange).toBe('a2');
  });

  it('shares one load among readers of the same key', async () => {
    const { cache } = setUp();
    const slow = deferredLoad();
    let calls = 0;
    const counted = () => {
      calls++;
      return slow.load();
    };
    const readers = [cache.get('a', counted), cache.get('a', counted), cache.get('a', counted)];
    slow.finish('a1');
    expect(await Promise.all(readers)).toEqual(['a1', 'a1', 'a1']);
    expect(calls).toBe(1);
  });

  it('drops everything on a reset, loads in flight included', async () => {
    const { cache, database, load } = setUp();
    await cache.get('a', load);
    const slow = deferredLoad();
    const inFlight = cache.get('b', slow.load);
    cache.reset();
    slow.finish('b-old');
    await inFlight;
    expect(cache.size).toBe(0);
    database.set('a', 'a2');
    database.set('b', 'b2');
    expect(await cache.get('a', load)).toBe('a2');
    expect(await cache.get('b', load)).toBe('b2');
  });

  it('does not keep a load that finished after the feed stopped being current', async () => {
    const { cache, feed } = setUp();
    const slow = deferredLoad();
    const read = cache.get('a', slow.load);
    feed.current = false;
    slow.finish('a1');
    await read;
    feed.current = true;
    expect(cache.size).toBe(0);
  });

  it('forgets a failed load, so the next reader tries again', async () => {
    const { cache, load } = setUp();
    await expect(cache.get('a', () => Promise.reject(new Error('connection refused')))).rejects.toThrow('connection refused');
    expect(await cache.get('a', load)).toBe('a1');
  });

  it('keeps at most maxEntries, evicting the oldest', async () => {
    const { cache, load, loads } = setUp({ maxEntries: 2 });
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);
    expect(cache.size).toBe(2);
    await cache.get('b', load);
    await cache.get('a', load);
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
  });

  it('keeps nothing with a TTL of 0', async () => {
    const { cache, load, loads, lookups } = setUp({ ttlMs: 0 });
    await cache.get('a', load);
    await cache.get('a', load);
    expect(loads).toEqual(['a', 'a']);
    expect(lookups).toEqual(['bypass', 'bypass']);
  });
});
