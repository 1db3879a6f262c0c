import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '@pandora/domain';
import { Argon2HelperPool, Argon2HelperUnavailable } from './argon2-helper-pool';

export interface Argon2Parameters {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
}

/** Optional timing hook (password_hash_duration_seconds). */
export interface HashTimer {
  observeHashDuration(seconds: number, operation: 'hash' | 'verify'): void;
}

// `Algorithm` is a const enum in the binding's typings, which isolated-module compilers cannot
// inline; 2 is Argon2id.
const ARGON2ID = 2;
const OUTPUT_LENGTH = 32;

/**
 * Argon2id via @node-rs/argon2 (prebuilt N-API binding; ~4.5× faster verify than `argon2` on this
 * hardware, same PHC strings: docs/accounts.md has the measurement). Hashes are PHC strings
 * (`$argon2id$v=19$m=65536,t=1,p=4$salt$hash`), so hashes written by the original Go service verify.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  private dummyHash: Promise<string> | undefined;
  private readonly pool: Argon2HelperPool | null;

  /**
   * `workers` (ARGON2_WORKERS): 0 hashes in this process (on libuv's pool); n > 0 in n helper
   * processes (Argon2HelperPool). Either way the same binding with the same options.
   */
  constructor(
    private readonly parameters: Argon2Parameters,
    private readonly timer?: HashTimer,
    { workers = 0 }: { workers?: number } = {},
  ) {
    this.pool = workers > 0 ? new Argon2HelperPool(workers) : null;
  }

  async hash(password: string): Promise<string> {
    const started = process.hrtime.bigint();
    const options = {
      algorithm: ARGON2ID,
      memoryCost: this.parameters.memoryKib,
      timeCost: this.parameters.timeCost,
      parallelism: this.parameters.parallelism,
      outputLen: OUTPUT_LENGTH,
    };
    try {
      return await (this.pool ? this.pool.hash(password, options) : hash(password, options));
    } finally {
      this.observe(started, 'hash');
    }
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    const started = process.hrtime.bigint();
    try {
      return await (this.pool ? this.pool.verify(passwordHash, password) : verify(passwordHash, password));
    } catch (error) {
      // No helper to ask is an outage, not a wrong password.
      if (error instanceof Argon2HelperUnavailable) throw error;
      // A malformed stored hash can never match; it must not turn into a 500 either.
      return false;
    } finally {
      this.observe(started, 'verify');
    }
  }

  async verifyDummy(password: string): Promise<void> {
    await this.verify(await this.getDummyHash(), password);
  }

  needsRehash(passwordHash: string): boolean {
    try {
      const options = parseOptions(passwordHash);
      return (
        (options.algorithm as number) !== ARGON2ID ||
        options.memoryCost !== this.parameters.memoryKib ||
        options.timeCost !== this.parameters.timeCost ||
        options.parallelism !== this.parameters.parallelism
      );
    } catch {
      return true;
    }
  }

  /** Stops the helper processes, if any (they also exit by themselves when this process does). */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  /** Computes the dummy hash ahead of the first login (called at start-up). */
  async warmUp(): Promise<void> {
    await this.getDummyHash();
  }

  private getDummyHash(): Promise<string> {
    // A hash of random bytes with the configured parameters: verifying against it costs exactly
    // what a real verify costs, and no input can match it.
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }

  private observe(started: bigint, operation: 'hash' | 'verify'): void {
    this.timer?.observeHashDuration(Number(process.hrtime.bigint() - started) / 1e9, operation);
  }
}
