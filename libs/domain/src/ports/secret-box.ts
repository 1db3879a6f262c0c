/** A secret at rest: AES-256-GCM ciphertext (tag included), its 96-bit nonce and the id of its key. */
export interface SealedSecret {
  ciphertext: Uint8Array;
  nonce: Uint8Array;
  keyId: string;
}

/** A keyed hash (HMAC-SHA-256, hex) and the id of the key it was made with. */
export interface KeyedDigest {
  keyId: string;
  hash: string;
}

/**
 * Secrets at rest under a key ring (MFA_ENCRYPTION_KEYS): the first key seals and digests, every key
 * opens and recognises, so a rotation needs no migration (docs/runbooks/mfa-key-rotation.md).
 * `context` binds a value to its owner (the user id): a sealed secret or a digest copied to another
 * user's row does not open or match there.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): SealedSecret;
  /** Throws when the key is not in the ring or the ciphertext was tampered with. */
  open(sealed: SealedSecret, context: string): string;
  /** Sealed under the key that seals today (false: re-seal it while it is open). */
  isCurrent(sealed: Pick<SealedSecret, 'keyId'>): boolean;
  /** The digest under the sealing key, for storing. */
  digest(value: string, context: string): KeyedDigest;
  /** The digest under every key of the ring, for looking a stored digest up. */
  digestCandidates(value: string, context: string): KeyedDigest[];
}
