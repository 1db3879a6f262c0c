import Redis from 'ioredis';
import type { LoginThrottle } from '@pandora/domain';
import { createTestRedis, type TestRedis } from '@pandora/testing';
import { InMemoryLoginThrottle, RedisLoginThrottle, ResilientLoginThrottle } from '../src';

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

    const waitUntil = (date: Date) => new Promise((resolve) => setTimeout(resolve, date.getTime() - Date.now() + 20));
    await waitUntil(first);
    for (let i = 0; i < 2; i++) await fail(throttle, address);
    const second = await expectLockOf(800, () => fail(throttle, address));

    await waitUntil(second);
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
