import { FULL, parseOptions, QUICK, SCENARIOS, UsageError } from './options';

describe('bench options', () => {
  it('runs every scenario with the full durations by default', () => {
    expect(parseOptions([])).toEqual({ quick: false, scenarios: [...SCENARIOS], out: null, profile: false, durations: FULL });
  });

  it('takes --quick, --only (kept in the canonical order), --profile and --out', () => {
    expect(parseOptions(['--quick', '--only', 'relay,login', '--profile', '--out', 'x.json'])).toEqual({
      quick: true,
      scenarios: ['login', 'relay'],
      out: 'x.json',
      profile: true,
      durations: QUICK,
    });
  });

  it('refuses unknown scenarios and unknown flags', () => {
    expect(() => parseOptions(['--only', 'login,nope'])).toThrow(UsageError);
    expect(() => parseOptions(['--fast'])).toThrow(UsageError);
  });
});
