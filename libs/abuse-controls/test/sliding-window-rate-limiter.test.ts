import Redis from 'ioredis';
import { createTestRedis, type TestRedis } from '@pandora/testing';
import { SlidingWindowRateLimiter } from '../src';

let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await createTestRedis();
  client = new Redis(redis.url, { keyPrefix: redis.keyPrefix });
});
afterAll(async () => {
  client.disconnect();
  await redis.cleanup();
});

const rule = (subject: string, limit = 3, windowMs = 1000) => ({ name: 'test', subject, limit, windowMs });

describe('sliding-window rate limiter', () => {
  it('admits exactly the limit under 200 concurrent checks (no read-modify-write race)', async () => {
    const limiter = new SlidingWindowRateLimiter(client);
    const decisions = await Promise.all(Array.from({ length: 200 }, () => limiter.check(rule('burst', 50, 60_000))));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(50);
    expect(Math.min(...decisions.map((decision) => decision.remaining))).toBe(0);
  });

  it('reports the remaining budget and when a slot frees up', async () => {
    const limiter = new SlidingWindowRateLimiter(client);
    const first = await limiter.check(rule('counting', 3, 10_000));
    expect(first).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 10, degraded: false });
    await limiter.check(rule('counting', 3, 10_000));
    await limiter.check(rule('counting', 3, 10_000));
    const refused = await limiter.check(rule('counting', 3, 10_000));
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.resetSeconds).toBeGreaterThanOrEqual(9);
  });

  it('slides: requests leave the window one by one', async () => {
    // The window is measured on a clock the test moves (Redis's own TIME otherwise).
    let now = Date.now();
    const limiter = new SlidingWindowRateLimiter(client, undefined, () => now);
    await limiter.check(rule('sliding', 2, 1000));
    now += 600;
    await limiter.check(rule('sliding', 2, 1000));
    expect((await limiter.check(rule('sliding', 2, 1000))).allowed).toBe(false);
    now += 500; // the first request has left the window
    expect((await limiter.check(rule('sliding', 2, 1000))).allowed).toBe(true);
    expect((await limiter.check(rule('sliding', 2, 1000))).allowed).toBe(false);
  });

  it('keeps subjects apart and never stores them in clear', async () => {
    const limiter = new SlidingWindowRateLimiter(client);
    for (let i = 0; i < 3; i++) await limiter.check(rule('203.0.113.7', 3, 60_000));
    expect((await limiter.check(rule('203.0.113.7', 3, 60_000))).allowed).toBe(false);
    expect((await limiter.check(rule('203.0.113.8', 3, 60_000))).allowed).toBe(true);
    const keys = await redis.raw.keys(`${redis.keyPrefix}*`);
    expect(keys.join()).not.toContain('203.0.113');
  });

  it('fails open, and says so, when Redis cannot be reached', async () => {
    const dead = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const degraded: string[] = [];
    const limiter = new SlidingWindowRateLimiter(dead, { rejected: () => undefined, degraded: (limit) => degraded.push(limit) });
    expect(await limiter.check(rule('anyone'))).toMatchObject({ allowed: true, degraded: true });
    expect(degraded).toEqual(['test']);
    dead.disconnect();
  });
});
