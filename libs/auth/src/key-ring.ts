import { createHash } from 'node:crypto';
import type { SigningKeyConfig } from '@pandora/config';
import { exportJWK, generateKeyPair, importPKCS8, importSPKI, type CryptoKey, type JWK } from 'jose';

export type SigningAlgorithm = 'ES256' | 'EdDSA' | 'HS256';

export interface RingKey {
  kid: string;
  alg: SigningAlgorithm;
  status: 'active' | 'grace';
  /** Present on the active key only (and on grace keys that kept their private half). */
  signingKey?: CryptoKey | Uint8Array;
  verificationKey: CryptoKey | Uint8Array;
  /** The public JWK published at /.well-known/jwks.json (asymmetric keys only). */
  publicJwk?: JWK;
}

/**
 * The JWT key ring (docs/tokens.md#the-key-ring): one active key signs, grace keys still verify tokens signed before a
 * rotation, retired keys are gone. Verification looks the key up by `kid` and accepts only that
 * key's own algorithm, which closes `alg:none` and RS/HS confusion by construction.
 */
export class KeyRing {
  private readonly byKid: Map<string, RingKey>;

  private constructor(
    keys: RingKey[],
    /** True when the key was generated at start-up (dev/test without JWT_SIGNING_KEYS). */
    readonly ephemeral: boolean,
  ) {
    this.byKid = new Map(keys.map((key) => [key.kid, key]));
  }

  static async fromConfig(configs: SigningKeyConfig[]): Promise<KeyRing> {
    const keys: RingKey[] = [];
    for (const config of configs) {
      if (config.status === 'retired') continue;
      keys.push(await loadKey(config, config.status));
    }
    return new KeyRing(keys, false);
  }

  /** A fresh ES256 key pair that lives as long as the process (dev/test only). */
  static async generateEphemeral(): Promise<KeyRing> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = `ephemeral-${thumbprint(publicJwk)}`;
    return new KeyRing(
      [
        {
          kid,
          alg: 'ES256',
          status: 'active',
          signingKey: privateKey,
          verificationKey: publicKey,
          publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
        },
      ],
      true,
    );
  }

  activeKey(): RingKey & { signingKey: CryptoKey | Uint8Array } {
    for (const key of this.byKid.values()) {
      if (key.status === 'active' && key.signingKey) return key as RingKey & { signingKey: CryptoKey | Uint8Array };
    }
    throw new Error('The key ring has no active signing key');
  }

  find(kid: string): RingKey | undefined {
    return this.byKid.get(kid);
  }

  /** Public keys of the active and grace keys. Symmetric keys are never published. */
  jwks(): { keys: JWK[] } {
    return { keys: [...this.byKid.values()].flatMap((key) => (key.publicJwk ? [key.publicJwk] : [])) };
  }
}

async function loadKey(config: SigningKeyConfig, status: 'active' | 'grace'): Promise<RingKey> {
  if (config.alg === 'HS256') {
    const secret = new TextEncoder().encode(config.secret);
    return { kid: config.kid, alg: 'HS256', status, signingKey: secret, verificationKey: secret };
  }
  try {
    const signingKey = config.private_key ? await importPKCS8(config.private_key, config.alg, { extractable: true }) : undefined;
    const verificationKey = config.public_key
      ? await importSPKI(config.public_key, config.alg, { extractable: true })
      : await publicFromPrivate(signingKey as CryptoKey, config.alg);
    const jwk = await exportJWK(verificationKey);
    return {
      kid: config.kid,
      alg: config.alg,
      status,
      ...(signingKey ? { signingKey } : {}),
      verificationKey,
      publicJwk: {
        ...(jwk.kty ? { kty: jwk.kty } : {}),
        ...(jwk.crv ? { crv: jwk.crv } : {}),
        ...(jwk.x ? { x: jwk.x } : {}),
        ...(jwk.y ? { y: jwk.y } : {}),
        kid: config.kid,
        alg: config.alg,
        use: 'sig',
      },
    };
  } catch (error) {
    throw new Error(`JWT_SIGNING_KEYS: key "${config.kid}" is not a valid ${config.alg} PEM key (${(error as Error).message})`);
  }
}

async function publicFromPrivate(privateKey: CryptoKey, alg: 'ES256' | 'EdDSA'): Promise<CryptoKey> {
  const jwk = await exportJWK(privateKey);
  delete jwk.d;
  const { importJWK } = await import('jose');
  return (await importJWK({ ...jwk, key_ops: ['verify'] }, alg)) as CryptoKey;
}

function thumbprint(jwk: JWK): string {
  return createHash('sha256')
    .update(JSON.stringify([jwk.crv, jwk.x, jwk.y]))
    .digest('base64url')
    .slice(0, 16);
}
