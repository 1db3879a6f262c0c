import { formatTime, isoToUtcInput, utcInputToIso } from './time';

describe('times in the console (always UTC)', () => {
  it('shows an RFC 3339 timestamp as UTC to the second', () => {
    expect(formatTime('2026-01-02T03:04:05.678Z')).toBe('2026-01-02 03:04:05 UTC');
    expect(formatTime('2026-01-02T05:04:05+02:00')).toBe('2026-01-02 03:04:05 UTC');
  });

  it('shows a dash for nothing and the raw text for something unparseable', () => {
    expect(formatTime(null)).toBe('—');
    expect(formatTime(undefined)).toBe('—');
    expect(formatTime('yesterday')).toBe('yesterday');
  });

  it('reads a datetime-local value as UTC and writes it back', () => {
    expect(utcInputToIso('2026-01-02T03:04')).toBe('2026-01-02T03:04:00.000Z');
    expect(utcInputToIso('2026-01-02T03:04:59')).toBe('2026-01-02T03:04:59.000Z');
    expect(isoToUtcInput('2026-01-02T03:04:00.000Z')).toBe('2026-01-02T03:04');
  });

  it.each(['', '2026-01-02', '2026-13-40T99:99', 'not a date'])('ignores %j', (value) => {
    expect(utcInputToIso(value)).toBeUndefined();
  });
});
