import { hashRaw } from '@node-rs/argon2';
import { Argon2PasswordHasher } from './argon2-password-hasher';

const cheap = { memoryKib: 1024, timeCost: 1, parallelism: 1 };

/** A PHC string exactly as Go's golang.org/x/crypto/argon2 users format it (RawStdEncoding). */
async function goStyleHash(password: string, salt: Buffer, params: { m: number; t: number; p: number }): Promise<string> {
  const key = await hashRaw(password, {
    algorithm: 2,
    memoryCost: params.m,
    timeCost: params.t,
    parallelism: params.p,
    outputLen: 32,
    salt,
  });
  const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${params.m},t=${params.t},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

describe('Argon2id password hasher', () => {
  const hasher = new Argon2PasswordHasher(cheap);

  it('writes argon2id PHC strings with the configured parameters', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    await expect(hasher.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'correct horse battery stapl')).resolves.toBe(false);
  });

  it('verifies hashes written by the Go service (m=65536,t=1,p=4, 16-byte salt)', async () => {
    const goHash = await goStyleHash('Tr0ub4dor&3-from-go', Buffer.from('0123456789abcdef'), { m: 65536, t: 1, p: 4 });
    await expect(hasher.verify(goHash, 'Tr0ub4dor&3-from-go')).resolves.toBe(true);
    await expect(hasher.verify(goHash, 'Tr0ub4dor&3-from-g0')).resolves.toBe(false);
  });

  it('asks for a rehash when the configured parameters differ from the hash', async () => {
    const hash = await hasher.hash('a long enough password');
    expect(hasher.needsRehash(hash)).toBe(false);
    expect(new Argon2PasswordHasher({ ...cheap, memoryKib: 2048 }).needsRehash(hash)).toBe(true);
    expect(new Argon2PasswordHasher({ ...cheap, timeCost: 2 }).needsRehash(hash)).toBe(true);
    expect(hasher.needsRehash('$2b$10$abcdefghijklmnopqrstuu')).toBe(true);
  });

  it('treats a malformed stored hash as a mismatch, not an error', async () => {
    await expect(hasher.verify('not-a-hash', 'whatever')).resolves.toBe(false);
    await expect(hasher.verify('', 'whatever')).resolves.toBe(false);
  });

  it('spends real Argon2 work on the dummy verify', async () => {
    const timed: string[] = [];
    const observed = new Argon2PasswordHasher(cheap, { observeHashDuration: (_s, op) => timed.push(op) });
    await observed.warmUp();
    timed.length = 0;
    await observed.verifyDummy('anything');
    expect(timed).toEqual(['verify']);
  });
});
