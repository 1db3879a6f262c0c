import { createHmac } from 'node:crypto';

/**
 * An independent RFC 6238 (TOTP) implementation for the tests, written from the RFCs with nothing
 * but node:crypto's HMAC-SHA-1: the service's codes are checked against this, never against the
 * library the service uses. Its own correctness is pinned to the RFC's test vectors
 * (apps/user-api/test/mfa/mfa-enrolment.test.ts). Tests only: the service never uses it.
 */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const STEP_SECONDS = 30;

/** RFC 4648 base32 (upper case, padding optional). */
export function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const character of text.replace(/=+$/, '')) {
    const index = BASE32.indexOf(character);
    if (index < 0) throw new Error(`not base32: ${character}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** RFC 4226 HOTP with dynamic truncation. */
export function hotp(key: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function stepAt(epochMs: number): number {
  return Math.floor(epochMs / 1000 / STEP_SECONDS);
}

/** The code of a base32 secret for a time step. */
export function totpForStep(secretBase32: string, step: number, digits = 6): string {
  return hotp(base32Decode(secretBase32), step, digits);
}

/** The code of a base32 secret at a moment. */
export function totpAt(secretBase32: string, epochMs: number, digits = 6): string {
  return totpForStep(secretBase32, stepAt(epochMs), digits);
}
