import Redis from 'ioredis';
import type { LoginThrottle } from '@pandora/domain';
import { createTestRedis, eventually, type TestRedis } from '@pandora/testing';
import { InMemoryLoginThrottle, RedisLoginThrottle, ResilientLoginThrottle } from '../src';
import { digest } from '../src/hashing';

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

const settings = { threshold: 3, baseMs: 400, maxMs: 1000 };
let counter = 0;
const email = () => `victim${++counter}@example.com`;

/** The lock must end `durationMs` after the failing call, whenever the call actually ran. */
async function expectLockOf(durationMs: number, failing: () => Promise<{ lockedUntil: Date | null }>) {
  const before = Date.now();
  const { lockedUntil } = await failing();
  const after = Date.now();
  if (!lockedUntil) throw new Error('expected a lock');
  expect(lockedUntil.getTime()).toBeGreaterThanOrEqual(before + durationMs - 5);
  expect(lockedUntil.getTime()).toBeLessThanOrEqual(after + durationMs + 5);
  return lockedUntil;
}

async function fail(throttle: LoginThrottle, address: string) {
  const attempt = await throttle.reserve(address);
  if (!attempt.allowed) throw new Error('expected the attempt to be allowed');
  return throttle.recordFailure(address, attempt.reservation);
}

describe.each([
  ['Redis', () => new RedisLoginThrottle(client, settings)],
  ['in-process', () => new InMemoryLoginThrottle(settings)],
])('%s login throttle', (_name, create) => {
  it('never lets parallel attempts exceed the threshold', async () => {
    const throttle = create();
    const address = email();
    const attempts = await Promise.all(Array.from({ length: 20 }, () => throttle.reserve(address)));
    expect(attempts.filter((attempt) => attempt.allowed)).toHaveLength(3);
    expect(attempts.filter((attempt) => !attempt.allowed).every((attempt) => !attempt.allowed && attempt.retryAfterSeconds >= 1)).toBe(
      true,
    );
  });

  it('locks after the threshold, then escalates (doubling, capped)', async () => {
    const throttle = create();
    const address = email();
    expect((await fail(throttle, address)).lockedUntil).toBeNull();
    await fail(throttle, address);
    const first = await expectLockOf(400, () => fail(throttle, address));
    expect(await throttle.reserve(address)).toMatchObject({ allowed: false });
    expect(await throttle.lockedUntil(address)).toEqual(first);

    // The Redis throttle keeps time with Redis's clock: wait until the lock is over, as the throttle itself reports it.
    const lockEnds = () => eventually(async () => (await throttle.lockedUntil(address)) === null, 'the lock to end', 10_000);
    await lockEnds();
    for (let i = 0; i < 2; i++) await fail(throttle, address);
    await expectLockOf(800, () => fail(throttle, address));

    await lockEnds();
    for (let i = 0; i < 2; i++) await fail(throttle, address);
    await expectLockOf(1000, () => fail(throttle, address)); // 1600 capped at LOGIN_LOCKOUT_MAX
  });

  it('starts counting again after a success', async () => {
    const throttle = create();
    const address = email();
    await fail(throttle, address);
    await fail(throttle, address);
    const good = await throttle.reserve(address);
    if (!good.allowed) throw new Error('expected allowed');
    await throttle.recordSuccess(address, good.reservation);
    expect((await fail(throttle, address)).lockedUntil).toBeNull();
    expect((await fail(throttle, address)).lockedUntil).toBeNull();
  });

  it('gives a slot back when an attempt ends without a verdict, and clears on unlock', async () => {
    const throttle = create();
    const address = email();
    const held = await Promise.all([1, 2, 3].map(() => throttle.reserve(address)));
    expect(await throttle.reserve(address)).toMatchObject({ allowed: false });
    const first = held[0];
    if (!first?.allowed) throw new Error('expected allowed');
    await throttle.release(address, first.reservation);
    expect(await throttle.reserve(address)).toMatchObject({ allowed: true });

    const locked = email();
    for (let i = 0; i < 3; i++) await fail(throttle, locked);
    expect(await throttle.lockedUntil(locked)).not.toBeNull();
    await throttle.clear(locked);
    expect(await throttle.lockedUntil(locked)).toBeNull();
    expect(await throttle.reserve(locked)).toMatchObject({ allowed: true });
  });
});

const budgets = { threshold: 100, baseMs: 60_000, maxMs: 60_000, perSource: { limit: 2, windowMs: 60_000 } };
const from = (ipAddress: string | null) => ({ ipAddress });

async function failFrom(throttle: LoginThrottle, address: string, ipAddress: string) {
  const attempt = await throttle.reserve(address, from(ipAddress));
  if (!attempt.allowed) throw new Error('expected the attempt to be allowed');
  return throttle.recordFailure(address, attempt.reservation);
}

async function succeedFrom(throttle: LoginThrottle, address: string, ipAddress: string) {
  const attempt = await throttle.reserve(address, from(ipAddress));
  if (!attempt.allowed) throw new Error(`expected the attempt to be allowed, got ${JSON.stringify(attempt)}`);
  await throttle.recordSuccess(address, attempt.reservation);
}

describe.each([
  ['Redis', () => new RedisLoginThrottle(client, budgets)],
  ['in-process', () => new InMemoryLoginThrottle(budgets)],
])('%s failed logins per (IP, email)', (_name, create) => {
  it('never counts successes: ten in a row from one IP all pass a budget of two', async () => {
    const throttle = create();
    const address = email();
    for (let i = 0; i < 10; i++) await succeedFrom(throttle, address, '203.0.113.1');
  });

  it('refuses an IP whose failures reached the limit, with the time until the oldest leaves the window, and spares other IPs and emails', async () => {
    const throttle = create();
    const address = email();
    await failFrom(throttle, address, '203.0.113.2');
    await failFrom(throttle, address, '203.0.113.2');
    const refused = await throttle.reserve(address, from('203.0.113.2'));
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'ip_and_email' });
    if (refused.allowed) throw new Error('unreachable');
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await throttle.reserve(address, from('203.0.113.3'))).toMatchObject({ allowed: true });
    expect(await throttle.reserve(email(), from('203.0.113.2'))).toMatchObject({ allowed: true });
    // Without a source (callers that have no client IP) only the account budget applies.
    expect(await throttle.reserve(address)).toMatchObject({ allowed: true });
  });

  it('resets the window of the IP that logged in successfully, not the windows of other IPs', async () => {
    const throttle = create();
    const address = email();
    await failFrom(throttle, address, '203.0.113.4');
    await failFrom(throttle, address, '203.0.113.5');
    await failFrom(throttle, address, '203.0.113.5');
    await succeedFrom(throttle, address, '203.0.113.4');
    await failFrom(throttle, address, '203.0.113.4');
    await failFrom(throttle, address, '203.0.113.4');
    expect(await throttle.reserve(address, from('203.0.113.4'))).toMatchObject({ allowed: false, refusedBy: 'ip_and_email' });
    expect(await throttle.reserve(address, from('203.0.113.5'))).toMatchObject({ allowed: false, refusedBy: 'ip_and_email' });
  });

  it('lets at most the limit of parallel attempts from one IP through, and gives a slot back on release', async () => {
    const throttle = create();
    const address = email();
    const attempts = await Promise.all(Array.from({ length: 20 }, () => throttle.reserve(address, from('203.0.113.6'))));
    const allowed = attempts.filter((attempt) => attempt.allowed);
    expect(allowed).toHaveLength(2);
    const first = allowed[0];
    if (!first?.allowed) throw new Error('unreachable');
    await throttle.release(address, first.reservation);
    expect(await throttle.reserve(address, from('203.0.113.6'))).toMatchObject({ allowed: true });
  });

  it('forgets every IP window and the account lock of the email on clear (admin unlock)', async () => {
    const throttle = create();
    const address = email();
    for (const ip of ['203.0.113.7', '203.0.113.8']) for (let i = 0; i < 2; i++) await failFrom(throttle, address, ip);
    for (const ip of ['203.0.113.7', '203.0.113.8']) expect(await throttle.reserve(address, from(ip))).toMatchObject({ allowed: false });
    await throttle.clear(address);
    for (const ip of ['203.0.113.7', '203.0.113.8']) expect(await throttle.reserve(address, from(ip))).toMatchObject({ allowed: true });
  });

  it('puts clients without a known IP in one shared window per email', async () => {
    const throttle = create();
    const address = email();
    const attempt = async () => throttle.reserve(address, from(null));
    for (let i = 0; i < 2; i++) {
      const granted = await attempt();
      if (!granted.allowed) throw new Error('expected allowed');
      await throttle.recordFailure(address, granted.reservation);
    }
    expect(await attempt()).toMatchObject({ allowed: false, refusedBy: 'ip_and_email' });
  });
});

describe('the (IP, email) window', () => {
  it('slides: a failure stops counting once it is older than the window', async () => {
    let now = 1_700_000_000_000;
    const throttle = new InMemoryLoginThrottle({ ...budgets, perSource: { limit: 2, windowMs: 10_000 } }, 100, () => now);
    const address = email();
    await failFrom(throttle, address, '203.0.113.9');
    now += 6_000;
    await failFrom(throttle, address, '203.0.113.9');
    expect(await throttle.reserve(address, from('203.0.113.9'))).toEqual({
      allowed: false,
      retryAfterSeconds: 4,
      refusedBy: 'ip_and_email',
    });
    now += 4_001;
    expect(await throttle.reserve(address, from('203.0.113.9'))).toMatchObject({ allowed: true });
  });

  it('slides in Redis too: the IP is let in again once its oldest failure left the window', async () => {
    const throttle = new RedisLoginThrottle(client, { ...budgets, perSource: { limit: 2, windowMs: 1_500 } });
    const address = email();
    await failFrom(throttle, address, '203.0.113.11');
    await failFrom(throttle, address, '203.0.113.11');
    const refusedAt = Date.now();
    expect(await throttle.reserve(address, from('203.0.113.11'))).toMatchObject({ allowed: false, refusedBy: 'ip_and_email' });
    for (;;) {
      if ((await throttle.reserve(address, from('203.0.113.11'))).allowed) break;
      if (Date.now() - refusedAt > 5_000) throw new Error('still refused 5 s after the failures (window 1.5 s)');
      await new Promise((resolve) => setTimeout(resolve, 50)); // the poll step of this wait (bounded above), not a sleep
    }
  });

  it("keeps all of an email's keys under one hash tag (one Redis Cluster slot), so that unlock is a single DEL", async () => {
    const throttle = new RedisLoginThrottle(client, budgets);
    const address = email();
    await failFrom(throttle, address, '203.0.113.10');
    const tag = digest('login', address);
    const stored = async () => (await client.keys(`${redis.keyPrefix}login-throttle:*${tag}*`)).sort();
    expect(await stored()).toEqual([
      `${redis.keyPrefix}login-throttle:{${tag}}:sources`,
      `${redis.keyPrefix}login-throttle:{${tag}}:state`,
    ]);
    await throttle.clear(address);
    expect(await stored()).toEqual([]);
  });
});

describe('resilient login throttle', () => {
  it('falls back to an in-process throttle with half the threshold while Redis is unreachable', async () => {
    const dead = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const degraded: Error[] = [];
    const throttle = new ResilientLoginThrottle(
      new RedisLoginThrottle(dead, { threshold: 4, baseMs: 60_000, maxMs: 60_000 }),
      { threshold: 4, baseMs: 60_000, maxMs: 60_000 },
      (error) => degraded.push(error),
    );
    const address = email();
    expect((await fail(throttle, address)).lockedUntil).toBeNull();
    expect((await fail(throttle, address)).lockedUntil).not.toBeNull();
    expect(await throttle.reserve(address)).toMatchObject({ allowed: false });
    expect(degraded.length).toBeGreaterThan(0);
    dead.disconnect();
  });
});
