import { AppError } from '@pandora/errors';
import { commonPasswordCount, isCommonPassword } from './common-passwords';
import { assertPasswordPolicy, passwordPolicyViolation } from './password-policy';

describe('password policy', () => {
  const email = 'ada.lovelace@example.com';

  it('ships a common-password list of at least 10,000 entries', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });

  it.each(['password', 'Password1', 'qwertyuiop', 'iloveyou', '12345678', 'PASSWORD'])('rejects the common password %j', (password) => {
    expect(isCommonPassword(password)).toBe(true);
  });

  it('accepts a long passphrase without composition rules', () => {
    expect(passwordPolicyViolation('correct horse battery staple', email)).toBeNull();
    expect(passwordPolicyViolation('ünïcödé-pässwörd', email)).toBeNull();
  });

  it('counts Unicode code points, not UTF-16 units, for the length limits', () => {
    expect(passwordPolicyViolation('😀😀😀😀😀😀😀', email)).toBe('too_short'); // 7 code points, 14 units
    expect(passwordPolicyViolation('😀'.repeat(8) + 'x', email)).toBeNull();
    expect(passwordPolicyViolation('😀'.repeat(128), email)).toBeNull();
    expect(passwordPolicyViolation('😀'.repeat(129), email)).toBe('too_long');
  });

  it.each([
    ['short', 'too_short'],
    ['x'.repeat(129), 'too_long'],
    ['Ada.Lovelace@Example.com', 'contains_email'],
    ['ada.lovelace', 'contains_email'],
    ['nul\u0000character!', 'invalid_characters'],
  ])('rejects %j as %s', (password, reason) => {
    expect(passwordPolicyViolation(password, email)).toBe(reason);
  });

  it('throws 422 WEAK_PASSWORD with the reason', () => {
    expect(() => assertPasswordPolicy('short', email)).toThrow(
      expect.objectContaining({ code: 'WEAK_PASSWORD', message: expect.stringMatching(/at least 8/) }),
    );
    expect(() => assertPasswordPolicy('password123', email)).toThrow(AppError);
  });
});
