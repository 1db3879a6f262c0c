import { randomBytes } from 'node:crypto';
import { AesGcmSecretBox } from './secret-box';

const key = (kid: string) => ({ kid, key: randomBytes(32) });

describe('AesGcmSecretBox', () => {
  const old = key('2026-01');
  const current = key('2026-12');

  it('seals with a fresh nonce under the first key and opens what it sealed', () => {
    const box = new AesGcmSecretBox([current, old]);
    const a = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    const b = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(a.keyId).toBe('2026-12');
    expect(Buffer.from(a.nonce)).toHaveLength(12);
    expect(Buffer.from(a.nonce).equals(Buffer.from(b.nonce))).toBe(false);
    expect(Buffer.from(a.ciphertext).toString('latin1')).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(a, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('opens secrets sealed under an older key of the ring and says they need re-sealing', () => {
    const sealedBefore = new AesGcmSecretBox([old]).seal('secret', 'user-1');
    const rotated = new AesGcmSecretBox([current, old]);
    expect(rotated.open(sealedBefore, 'user-1')).toBe('secret');
    expect(rotated.isCurrent(sealedBefore)).toBe(false);
    expect(rotated.isCurrent(rotated.seal('secret', 'user-1'))).toBe(true);
  });

  it('refuses a ciphertext moved to another user, altered, or sealed under a key the ring lost', () => {
    const box = new AesGcmSecretBox([current]);
    const sealed = box.seal('secret', 'user-1');
    expect(() => box.open(sealed, 'user-2')).toThrow();
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(() => box.open({ ...sealed, ciphertext: flipped }, 'user-1')).toThrow();
    expect(() => new AesGcmSecretBox([key('other')]).open(sealed, 'user-1')).toThrow(/2026-12/);
  });

  it('digests with the sealing key and recognises digests of every key, per user', () => {
    const before = new AesGcmSecretBox([old]).digest('ABCDE23456', 'user-1');
    const rotated = new AesGcmSecretBox([current, old]);
    expect(rotated.digest('ABCDE23456', 'user-1').keyId).toBe('2026-12');
    expect(rotated.digestCandidates('ABCDE23456', 'user-1')).toContainEqual(before);
    expect(rotated.digest('ABCDE23456', 'user-2').hash).not.toBe(rotated.digest('ABCDE23456', 'user-1').hash);
    expect(rotated.digest('ABCDE23456', 'user-1').hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses keys that are not 256 bits', () => {
    expect(() => new AesGcmSecretBox([{ kid: 'short', key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => new AesGcmSecretBox([])).toThrow();
  });
});
