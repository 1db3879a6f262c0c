import Redis from 'ioredis';
import { createTestRedis, eventually, type TestRedis } from '@pandora/testing';
import { RedisIdempotencyStore } from '../src';

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

const request = (scope: string, key: string, body = 'POST /x\nabc') => ({ scope, key, request: body });
const answer = { status: 201, headers: {}, body: { refresh_token: `rt_${'S'.repeat(43)}`, user: { email: 'secret@example.com' } } };

describe('Redis idempotency store', () => {
  it('runs the first request, replays its answer, and refuses a different request under the same key', async () => {
    const store = new RedisIdempotencyStore(client, 60_000);
    const first = await store.begin(request('ip:1|post|/x', 'key-1'));
    if (first.kind !== 'started') throw new Error('expected started');
    expect(await store.begin(request('ip:1|post|/x', 'key-1'))).toEqual({ kind: 'in_progress' });
    await store.complete(first.handle, answer);
    expect(await store.begin(request('ip:1|post|/x', 'key-1'))).toEqual({ kind: 'replay', response: answer });
    expect(await store.begin(request('ip:1|post|/x', 'key-1', 'POST /x\nother body'))).toEqual({ kind: 'mismatch' });
  });

  it('scopes keys to the caller', async () => {
    const store = new RedisIdempotencyStore(client, 60_000);
    const mine = await store.begin(request('user:a|post|/x', 'shared-key'));
    const theirs = await store.begin(request('user:b|post|/x', 'shared-key'));
    expect([mine.kind, theirs.kind]).toEqual(['started', 'started']);
  });

  it('scopes keys to the method and the route of one caller', async () => {
    const store = new RedisIdempotencyStore(client, 60_000);
    const first = await store.begin(request('user:c|post|/x', 'one-key'));
    if (first.kind !== 'started') throw new Error('expected started');
    await store.complete(first.handle, answer);
    // Same key and request text: only the scope differs, so a shared record would replay or refuse.
    const otherMethod = await store.begin(request('user:c|put|/x', 'one-key'));
    const otherRoute = await store.begin(request('user:c|post|/y', 'one-key'));
    expect([otherMethod.kind, otherRoute.kind]).toEqual(['started', 'started']);
    expect(await store.begin(request('user:c|post|/x', 'one-key'))).toEqual({ kind: 'replay', response: answer });
  });

  it('stores neither the key, the answer nor a plain hash of the request in Redis', async () => {
    const store = new RedisIdempotencyStore(client, 60_000);
    const begun = await store.begin(
      request('ip:9|post|/register', 'my-secret-idempotency-key', 'POST /register\n{"password":"hunter2-hunter2"}'),
    );
    if (begun.kind !== 'started') throw new Error('expected started');
    await store.complete(begun.handle, answer);
    const keys = await redis.raw.keys(`${redis.keyPrefix}idempotency:*`);
    const values = await Promise.all(keys.map((key) => redis.raw.get(key)));
    const everything = keys.join() + values.join();
    expect(everything).not.toContain('my-secret-idempotency-key');
    expect(everything).not.toContain('rt_');
    expect(everything).not.toContain('secret@example.com');
    expect(everything).not.toContain('hunter2');
  });

  it('lets a request run again after abandon, and after the record expires', async () => {
    const store = new RedisIdempotencyStore(client, 300);
    const first = await store.begin(request('ip:2|post|/x', 'retry-me'));
    if (first.kind !== 'started') throw new Error('expected started');
    await store.abandon(first.handle);
    const second = await store.begin(request('ip:2|post|/x', 'retry-me'));
    if (second.kind !== 'started') throw new Error('expected started again');
    await store.complete(second.handle, answer);
    await eventually(async () => (await client.exists(second.handle.redisKey)) === 0, 'Redis to expire the record', 10_000);
    expect((await store.begin(request('ip:2|post|/x', 'retry-me'))).kind).toBe('started');
  });

  it('lets only the execution that started a key complete it', async () => {
    const store = new RedisIdempotencyStore(client, 60_000);
    const first = await store.begin(request('ip:3|post|/x', 'owned'));
    if (first.kind !== 'started') throw new Error('expected started');
    await store.complete({ ...first.handle, owner: 'someone-else' }, answer);
    expect(await store.begin(request('ip:3|post|/x', 'owned'))).toEqual({ kind: 'in_progress' });
  });
});
