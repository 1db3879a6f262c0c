import { OtpAuthTotpVerifier } from './totp-verifier';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII text "12345678901234567890"; in base32:
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const at = (seconds: number) => ({ now: () => new Date(seconds * 1000) });

describe('OtpAuthTotpVerifier', () => {
  it('accepts the RFC 6238 SHA-1 test vectors (6 digits) and names their time steps', () => {
    expect(new OtpAuthTotpVerifier(at(59)).verify(RFC_SECRET, '287082')).toEqual({ step: 1 });
    expect(new OtpAuthTotpVerifier(at(1111111109)).verify(RFC_SECRET, '081804')).toEqual({ step: 37037036 });
  });

  it('accepts a code one step early or late, and names the step the code belongs to', () => {
    expect(new OtpAuthTotpVerifier(at(59 + 30)).verify(RFC_SECRET, '287082')).toEqual({ step: 1 });
    expect(new OtpAuthTotpVerifier(at(59 - 30)).verify(RFC_SECRET, '287082')).toEqual({ step: 1 });
  });

  it('refuses a code two steps away, a wrong code and malformed input', () => {
    expect(new OtpAuthTotpVerifier(at(59 + 60)).verify(RFC_SECRET, '287082')).toBeNull();
    const verifier = new OtpAuthTotpVerifier(at(59));
    for (const code of ['287083', '28708', '2870822', 'abcdef', '']) expect(verifier.verify(RFC_SECRET, code)).toBeNull();
  });

  it('makes 160-bit base32 secrets and an otpauth URL authenticator apps import', () => {
    const verifier = new OtpAuthTotpVerifier(at(0));
    const secret = verifier.newSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(verifier.newSecret()).not.toBe(secret);
    const url = new URL(verifier.keyUri({ secret, accountName: 'ada@example.com', issuer: 'Pandora Exchange' }));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Pandora Exchange:ada@example.com');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      issuer: 'Pandora Exchange',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
