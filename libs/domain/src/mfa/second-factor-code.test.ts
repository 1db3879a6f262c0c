import { formatRecoveryCode, parseSecondFactorCode, RECOVERY_CODE_ALPHABET } from './second-factor-code';

describe('second-factor codes as typed by people', () => {
  it('takes six digits as a TOTP code', () => {
    expect(parseSecondFactorCode(' 081804 ')).toEqual({ method: 'totp', code: '081804' });
  });

  it('takes a recovery code in any case, with or without its dash and spaces', () => {
    for (const typed of ['ABCDE-23456', 'abcde23456', 'abcde 23456', ' AbCdE-2345 6 '])
      expect(parseSecondFactorCode(typed)).toEqual({ method: 'recovery_code', code: 'ABCDE23456' });
  });

  it('refuses anything else before a secret is looked at', () => {
    for (const typed of ['', '12345', '1234567', 'ABCDE-2345', 'ABCDE-234567', 'ABCD0-23456', 'ABCDI-23456', '１２３４５６'])
      expect(parseSecondFactorCode(typed)).toEqual({ method: 'malformed' });
  });

  it('has no look-alike symbols in its recovery-code alphabet', () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(32);
    for (const lookAlike of ['0', 'O', '1', 'I']) expect(RECOVERY_CODE_ALPHABET).not.toContain(lookAlike);
    expect(formatRecoveryCode('ABCDE23456')).toBe('ABCDE-23456');
  });
});
