import { hash, verify } from '@node-rs/argon2';
import { Argon2HelperPool, Argon2HelperUnavailable } from '../src/argon2-helper-pool';
import { Argon2PasswordHasher } from '../src/argon2-password-hasher';

const cheap = { memoryKib: 1024, timeCost: 1, parallelism: 1 };
const options = { algorithm: 2, memoryCost: 1024, timeCost: 1, parallelism: 1, outputLen: 32 };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Argon2 in helper processes', () => {
  let pool: Argon2HelperPool;
  beforeEach(() => {
    pool = new Argon2HelperPool(2);
  });
  afterEach(async () => {
    await pool.close();
  });

  it('writes the same PHC strings as the binding in this process, and each verifies the other', async () => {
    const fromHelper = await pool.hash('correct horse battery staple', options);
    const inProcess = await hash('correct horse battery staple', options);
    expect(fromHelper).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(fromHelper.split('$').slice(0, 4)).toEqual(inProcess.split('$').slice(0, 4));
    await expect(verify(fromHelper, 'correct horse battery staple')).resolves.toBe(true);
    await expect(pool.verify(inProcess, 'correct horse battery staple')).resolves.toBe(true);
    await expect(pool.verify(inProcess, 'correct horse battery stapl')).resolves.toBe(false);
  });

  it('spreads concurrent work over its helpers and answers each request with its own result', async () => {
    const stored = await hash('right', options);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, index) => pool.verify(stored, index % 3 === 0 ? 'right' : 'wrong')));
    expect(answers).toEqual(Array.from({ length: 12 }, (_, index) => index % 3 === 0));
    expect(pool.pids()).toHaveLength(2);
  });

  it('rejects a malformed stored hash as the binding does (the hasher turns that into a mismatch)', async () => {
    await expect(pool.verify('not-a-hash', 'whatever')).rejects.toThrow();
    const hasher = new Argon2PasswordHasher(cheap, undefined, { workers: 1 });
    try {
      await expect(hasher.verify('not-a-hash', 'whatever')).resolves.toBe(false);
    } finally {
      await hasher.close();
    }
  });

  it('replaces a helper that dies and still answers the requests it had', async () => {
    const stored = await hash('right', options);
    // Both helpers have started (one request each): a helper that dies before it starts is another case, below.
    await Promise.all([pool.verify(stored, 'right'), pool.verify(stored, 'right')]);
    const [first] = pool.pids() as [number];
    const answers = Promise.all(Array.from({ length: 6 }, () => pool.verify(stored, 'right')));
    process.kill(first, 'SIGKILL');
    await expect(answers).resolves.toEqual(Array(6).fill(true));
    expect(pool.pids()).not.toContain(first);
    await expect(pool.verify(stored, 'right')).resolves.toBe(true);
  });

  it('stops its helpers on close and refuses work afterwards', async () => {
    const pids = pool.pids();
    await pool.close();
    expect(pids.filter(alive)).toEqual([]);
    await expect(pool.verify('x', 'y')).rejects.toThrow(/closed/);
  });

  it('fails the work of helpers that cannot start as an outage, without restarting them in a tight loop', async () => {
    const broken = new Argon2HelperPool(1, '/nonexistent/argon2-binding.js');
    try {
      const first = broken.pids()[0] as number;
      await expect(broken.verify('$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA', 'x')).rejects.toBeInstanceOf(Argon2HelperUnavailable);
      // Right after the failed start no helper runs: refused at once rather than queued.
      await expect(broken.verify('x', 'y')).rejects.toBeInstanceOf(Argon2HelperUnavailable);
      expect(broken.pids()).toEqual([first]);
    } finally {
      await broken.close();
    }
  });

  it('never reports an unavailable helper as a wrong password', async () => {
    const hasher = new Argon2PasswordHasher(cheap, undefined, { workers: 1 });
    const stored = await hasher.hash('a long enough password');
    await hasher.close();
    await expect(hasher.verify(stored, 'a long enough password')).rejects.toBeInstanceOf(Argon2HelperUnavailable);
  });

  it('backs the password hasher with identical strings when ARGON2_WORKERS > 0', async () => {
    const hasher = new Argon2PasswordHasher(cheap, undefined, { workers: 1 });
    try {
      const stored = await hasher.hash('a long enough password');
      expect(stored).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
      await expect(new Argon2PasswordHasher(cheap).verify(stored, 'a long enough password')).resolves.toBe(true);
      await expect(hasher.verify(stored, 'a long enough password')).resolves.toBe(true);
      await hasher.warmUp();
      await expect(hasher.verifyDummy('anything')).resolves.toBeUndefined();
    } finally {
      await hasher.close();
    }
  });
});
