import { median, percentile, ratio, round, Samples, summarize } from './stats';

describe('latency statistics', () => {
  it('takes nearest-rank percentiles of the samples', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(Float64Array.from([7]), 99)).toBe(7);
    expect(percentile(new Float64Array(0), 50)).toBeNaN();
  });

  it('summarises unsorted samples collected across many chunks', () => {
    const samples = new Samples();
    for (let index = 200_000; index >= 1; index--) samples.push(index / 1000);
    const summary = summarize(samples.values());
    expect(summary).toEqual({ count: 200_000, p50: 100, p90: 180, p99: 198, max: 200, mean: 100 });
  });

  it('rounds for reports and guards ratios against a missing baseline', () => {
    expect(round(1234.567)).toBe(1235);
    expect(round(12.345)).toBe(12.35);
    expect(round(0.123456)).toBe(0.123);
    expect(ratio(1, 3)).toBe(0.333);
    expect(ratio(5, 0)).toBeNaN();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
