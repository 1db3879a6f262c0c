import { formatDuration, parseDuration } from './duration';

describe('Go-style durations', () => {
  it.each([
    ['900ms', 900],
    ['10s', 10_000],
    ['15m', 900_000],
    ['168h', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['2h45m30s', 9_930_000],
    ['0', 0],
    ['1500us', 2],
  ])('parses %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', 'm', '-5s', '1d', '10 s', '1h-30m', 'abc', '1e3s'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('formats milliseconds the way Go prints them', () => {
    expect(formatDuration(900)).toBe('900ms');
    expect(formatDuration(5_400_000)).toBe('1h30m0s');
    expect(formatDuration(90_000)).toBe('1m30s');
  });
});
