import { newIdempotencyKey } from './idempotency-key';

describe('Idempotency-Key values', () => {
  it('are 128 random bits in hex, different every time', () => {
    const keys = Array.from({ length: 100 }, () => newIdempotencyKey());
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(keys).size).toBe(100);
  });

  it('come from getRandomValues (available outside secure contexts too)', () => {
    const fixed = {
      getRandomValues: <T extends ArrayBufferView | null>(array: T) => (
        new Uint8Array((array as unknown as Uint8Array).buffer).fill(171),
        array
      ),
    };
    expect(newIdempotencyKey(fixed as Pick<Crypto, 'getRandomValues'>)).toBe('ab'.repeat(16));
  });
});
