import { claimDurationMs, retryDelay } from './mail-courier';

describe('the wait before a mail is tried again', () => {
  it('doubles with every failed attempt from MAIL_RETRY_BASE, less at most a quarter of jitter', () => {
    for (const [attempt, full] of [
      [1, 60_000],
      [2, 120_000],
      [3, 240_000],
      [6, 1_920_000],
    ] as const) {
      const delay = retryDelay(attempt, 60_000, 3_600_000);
      expect(delay).toBeGreaterThanOrEqual(full * 0.75);
      expect(delay).toBeLessThanOrEqual(full);
    }
  });

  it('never exceeds MAIL_RETRY_MAX, however many attempts failed', () => {
    for (const attempt of [7, 8, 20, 1_000]) expect(retryDelay(attempt, 60_000, 3_600_000)).toBeLessThanOrEqual(3_600_000);
  });

  it('spreads the default eight attempts over about two hours', () => {
    const total = [1, 2, 3, 4, 5, 6, 7].reduce((sum, attempt) => sum + retryDelay(attempt, 60_000, 3_600_000), 0);
    expect(total).toBeGreaterThan(1.25 * 3_600_000);
    expect(total).toBeLessThanOrEqual(123 * 60_000);
  });
});

describe('a claim', () => {
  it('outlasts one attempt, which MAIL_SEND_TIMEOUT cuts', () => {
    expect(claimDurationMs({ sendTimeoutMs: 30_000 })).toBeGreaterThan(30_000);
    expect(claimDurationMs({ sendTimeoutMs: 1_000 })).toBeGreaterThan(1_000);
  });
});
