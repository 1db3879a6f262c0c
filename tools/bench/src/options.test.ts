import { FULL, parseOptions, QUICK, SCENARIOS, UsageError } from './options';

describe('bench options', () => {
  it('runs every scenario with the full durations by default', () => {
    expect(parseOptions([])).toEqual({
      quick: false,
      scenarios: [...SCENARIOS],
      out: null,
      profile: false,
      logLevel: 'info',
      durations: FULL,
    });
  });

  it('takes --quick, --only (kept in the canonical order), --profile, --log-level and --out', () => {
    expect(parseOptions(['--quick', '--only', 'relay,login', '--profile', '--log-level', 'warn', '--out', 'x.json'])).toEqual({
      quick: true,
      scenarios: ['login', 'relay'],
      out: 'x.json',
      profile: true,
      logLevel: 'warn',
      durations: QUICK,
    });
  });

  it('refuses unknown scenarios and unknown flags', () => {
    expect(() => parseOptions(['--only', 'login,nope'])).toThrow(UsageError);
    expect(() => parseOptions(['--fast'])).toThrow(UsageError);
    expect(() => parseOptions(['--log-level', 'verbose'])).toThrow(UsageError);
  });
});
