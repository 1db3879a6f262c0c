export interface PasswordHasher {
  /** A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Spends exactly the work of a real verify against a hash no password matches, so that an unknown
   * email costs the same time as a wrong password (no enumeration by timing).
   */
  verifyDummy(password: string): Promise<void>;
  /** True when the hash was made with other parameters than the configured ones. */
  needsRehash(passwordHash: string): boolean;
}
