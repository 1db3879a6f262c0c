import type Redis from 'ioredis';
import { keySlot } from './redis-keys';
import { replicaPolicy } from './stream-publisher';

describe('keySlot', () => {
  it("gives Redis Cluster's slots (CRC16-XMODEM modulo 16384)", () => {
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('123456789')).toBe(0x31c3 % 16384);
  });

  it('hashes only the hash tag when there is one, so tagged keys share a slot', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('prefix:{user1000}:x')).toBe(keySlot('user1000'));
    // An empty tag is no tag: the whole key is hashed.
    expect(keySlot('{}foo')).not.toBe(keySlot('foo'));
  });
});

/** A node that answers ROLE with the given replicas, counting how often it was asked. */
function fakeNode(replicas: unknown[]): Redis & { asked: number } {
  const node = {
    asked: 0,
    call: async () => {
      node.asked++;
      return ['master', 0, replicas];
    },
  };
  return node as unknown as Redis & { asked: number };
}

describe('replicaPolicy', () => {
  it('takes a number as given, and one replica under Sentinel for auto', async () => {
    expect(await replicaPolicy(2, false)(fakeNode([]))).toBe(2);
    expect(await replicaPolicy(0, true)(fakeNode([]))).toBe(0);
    expect(await replicaPolicy('auto', true)(fakeNode([]))).toBe(1);
  });

  it('waits for one replica once the master was seen with one, and never stops waiting after', async () => {
    const policy = replicaPolicy('auto', false);
    const lonely = fakeNode([]);
    expect(await policy(lonely)).toBe(0);
    // Asked again only after a while, not on every batch.
    expect(await policy(lonely)).toBe(0);
    expect(lonely.asked).toBe(1);

    const replicated = fakeNode([['127.0.0.1', '6380', '0']]);
    expect(await policy(replicated)).toBe(1);
    (replicated as unknown as { call: () => Promise<unknown> }).call = async () => ['master', 0, []];
    expect(await policy(replicated)).toBe(1);
  });
});
