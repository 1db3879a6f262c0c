/**
 * A fresh Idempotency-Key: 128 random bits as 32 hex characters. `crypto.randomUUID` would be
 * shorter to write, but browsers offer it only in secure contexts, and an admin port reached over
 * plain HTTP inside a private network is not one; `getRandomValues` works everywhere.
 */
export function newIdempotencyKey(random: Pick<Crypto, 'getRandomValues'> = crypto): string {
  const bytes = random.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
