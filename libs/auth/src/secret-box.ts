import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyedDigest, SealedSecret, SecretBox } from '@pandora/domain';

/** One key of MFA_ENCRYPTION_KEYS: an id stored beside what it protects, and 32 bytes. */
export interface SecretBoxKey {
  kid: string;
  key: Buffer;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const DIGEST_INFO = 'pandora-user-service/mfa/recovery-code-digest/v1';

interface RingKey {
  kid: string;
  encryptionKey: Buffer;
  digestKey: Buffer;
}

/**
 * AES-256-GCM under a key ring (the first key seals, every key opens), in the manner of Supabase's
 * `crypto.go`: the key id is stored beside each ciphertext, so a rotation re-seals lazily and needs no
 * migration (docs/runbooks/mfa-key-rotation.md).
 *  - Every seal has a fresh random 96-bit nonce (GCM's limit of 2^32 messages per key is far off:
 *    one seal per setup or rotation).
 *  - The associated data binds a ciphertext to its key id and context (the user id): a row copied to
 *    another user does not open.
 *  - Recovery codes are HMAC-SHA-256'd with a key derived from the ring key by HKDF (one key, one
 *    purpose), bound to the user: without the key a copy of the database cannot even be brute-forced.
 */
export class AesGcmSecretBox implements SecretBox {
  private readonly keys: RingKey[];
  private readonly byKid: Map<string, RingKey>;

  constructor(keys: SecretBoxKey[]) {
    if (keys.length === 0) throw new Error('AesGcmSecretBox needs at least one key');
    this.keys = keys.map(({ kid, key }) => {
      if (key.length !== 32) throw new Error(`MFA key "${kid}" must be 32 bytes (AES-256)`);
      return { kid, encryptionKey: key, digestKey: Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), DIGEST_INFO, 32)) };
    });
    this.byKid = new Map(this.keys.map((key) => [key.kid, key]));
  }

  /** The id of the key that seals (the first of the ring). */
  get currentKeyId(): string {
    return this.current.kid;
  }

  private get current(): RingKey {
    return this.keys[0] as RingKey;
  }

  seal(plaintext: string, context: string): SealedSecret {
    const key = this.current;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(key.kid, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { ciphertext, nonce, keyId: key.kid };
  }

  open(sealed: SealedSecret, context: string): string {
    const key = this.byKid.get(sealed.keyId);
    if (!key) throw new Error(`an MFA secret is sealed under key "${sealed.keyId}", which MFA_ENCRYPTION_KEYS does not hold`);
    const data = Buffer.from(sealed.ciphertext);
    if (data.length < TAG_BYTES) throw new Error('a sealed MFA secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, Buffer.from(sealed.nonce), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(key.kid, context));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  isCurrent(sealed: Pick<SealedSecret, 'keyId'>): boolean {
    return sealed.keyId === this.current.kid;
  }

  digest(value: string, context: string): KeyedDigest {
    return digestWith(this.current, value, context);
  }

  digestCandidates(value: string, context: string): KeyedDigest[] {
    return this.keys.map((key) => digestWith(key, value, context));
  }
}

function associatedData(kid: string, context: string): Buffer {
  return Buffer.from(`pandora-mfa-secret/v1|${kid}|${context}`, 'utf8');
}

function digestWith(key: RingKey, value: string, context: string): KeyedDigest {
  return { keyId: key.kid, hash: createHmac('sha256', key.digestKey).update(`${context}|${value}`, 'utf8').digest('hex') };
}
