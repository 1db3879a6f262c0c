import { OpaqueRefreshTokenService } from './opaque-refresh-token.service';

describe('opaque refresh tokens', () => {
  const service = new OpaqueRefreshTokenService();

  it('carries 256 random bits and is stored only as its SHA-256', () => {
    const { token, hash } = service.generate();
    expect(token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token.slice(3));
    expect(service.hash(token)).toBe(hash);
  });

  it('never repeats', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => service.generate().token));
    expect(tokens.size).toBe(1000);
  });

  it.each(['', 'rt_short', `xx_${'a'.repeat(43)}`, `rt_${'a'.repeat(44)}`, `rt_${'!'.repeat(43)}`])(
    'does not hash the malformed token %j',
    (token) => {
      expect(service.hash(token)).toBeNull();
    },
  );
});
