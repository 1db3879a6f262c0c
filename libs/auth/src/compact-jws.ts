import { createHmac, KeyObject, sign, type webcrypto } from 'node:crypto';
import type { SigningAlgorithm } from './key-ring';

/** Signs a JWS in compact form (`header.payload.signature`, RFC 7515) with one key. */
export type CompactSigner = (header: Record<string, unknown>, payload: Record<string, unknown>) => string;

/**
 * A signer for one key of the ring, on node:crypto and on the calling thread.
 *
 * jose's `SignJWT` signs through WebCrypto: the key is checked on every call and the signature runs
 * as a job on the libuv thread pool, where it queues behind the Argon2 verifies that share that pool
 * (docs/benchmarks.md, "Login: fewer round trips"). An ES256 signature is ~40 µs of CPU; signing it
 * here, with the key converted once, costs less than jose's bookkeeping around the job. The output
 * is the same JWS: the segments are the JSON of the header and payload as given (jose writes them
 * the same way), and the signature is the algorithm's JWS form (ES256: the 64-byte r‖s, not DER).
 * Verification stays with jose.
 */
export function compactSigner(alg: SigningAlgorithm, key: webcrypto.CryptoKey | Uint8Array): CompactSigner {
  const signWith = signatureFunction(alg, key);
  return (header, payload) => {
    const input = `${segment(header)}.${segment(payload)}`;
    return `${input}.${signWith(Buffer.from(input)).toString('base64url')}`;
  };
}

function segment(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signatureFunction(alg: SigningAlgorithm, key: webcrypto.CryptoKey | Uint8Array): (input: Buffer) => Buffer {
  switch (alg) {
    case 'HS256': {
      if (!(key instanceof Uint8Array)) throw new Error('An HS256 key is a secret (bytes)');
      const secret = Buffer.from(key);
      return (input) => createHmac('sha256', secret).update(input).digest();
    }
    case 'ES256': {
      const privateKey = keyObjectOf(key);
      // A JWS carries the raw r‖s pair of an ECDSA signature; node:crypto's default is DER.
      return (input) => sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    }
    case 'EdDSA': {
      const privateKey = keyObjectOf(key);
      return (input) => sign(null, input, privateKey);
    }
  }
}

function keyObjectOf(key: webcrypto.CryptoKey | Uint8Array): KeyObject {
  if (key instanceof Uint8Array) throw new Error('An asymmetric signing key must be a private key, not bytes');
  const keyObject = KeyObject.from(key);
  if (keyObject.type !== 'private') throw new Error('A signing key must be a private key');
  return keyObject;
}
