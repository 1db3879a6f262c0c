import { FULL, parseOptions, PEER_SCENARIOS, QUICK, SCENARIOS, UsageError } from './options';

describe('bench options', () => {
  it('runs every scenario with the full durations by default', () => {
    expect(parseOptions([])).toEqual({
      quick: false,
      scenarios: [...SCENARIOS],
      out: null,
      profile: false,
      logLevel: 'info',
      appEnv: {},
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
      appEnv: {},
      durations: QUICK,
    });
  });

  it('never runs a peer unless asked: the default run and --quick stay the five scenarios', () => {
    expect(parseOptions([]).scenarios).not.toContain('better_auth');
    expect(parseOptions(['--quick']).scenarios).toEqual([...SCENARIOS]);
  });

  it('adds every peer after the chosen scenarios with --peers', () => {
    expect(parseOptions(['--peers']).scenarios).toEqual([...SCENARIOS, ...PEER_SCENARIOS]);
    expect(parseOptions(['--peers', '--only', 'users_me,login', '--quick'])).toMatchObject({
      quick: true,
      scenarios: ['login', 'users_me', 'better_auth'],
    });
  });

  it('runs a peer alone when --only names it, with or without --peers', () => {
    expect(parseOptions(['--only', 'better_auth']).scenarios).toEqual(['better_auth']);
    expect(parseOptions(['--peers', '--only', 'better_auth']).scenarios).toEqual(['better_auth']);
  });

  it('passes --set assignments to the apps, the last one of a name winning', () => {
    expect(parseOptions(['--set', 'ARGON2_WORKERS=0', '--set', 'LOG_FORMAT=a=b', '--set', 'ARGON2_WORKERS=2']).appEnv).toEqual({
      ARGON2_WORKERS: '2',
      LOG_FORMAT: 'a=b',
    });
    expect(() => parseOptions(['--set', 'argon2_workers=1'])).toThrow(UsageError);
    expect(() => parseOptions(['--set', 'NOVALUE'])).toThrow(UsageError);
  });

  it('refuses unknown scenarios and unknown flags', () => {
    expect(() => parseOptions(['--only', 'login,nope'])).toThrow(UsageError);
    expect(() => parseOptions(['--fast'])).toThrow(UsageError);
    expect(() => parseOptions(['--log-level', 'verbose'])).toThrow(UsageError);
    expect(() => parseOptions(['--peers=yes'])).toThrow(UsageError);
  });
});
