import os from 'node:os';

/**
 * Compares the cost of two requests on a shared, possibly loaded machine, for the tests that prove
 * an answer takes as long whether an account exists or not.
 *
 * - Paired and interleaved: each pair runs `a` and `b` back to back, alternating which goes first,
 *   so a change of load hits both sides of a pair alike; the ratio b/a is taken per pair.
 * - The estimate is the median of the pairs' ln(b/a): a few pairs hit by a scheduler stall move it
 *   little. Its standard error is estimated from the noise itself: 1.2533 × 1.4826 × MAD / √n
 *   (MAD: median absolute deviation of ln(b/a); 1.4826 × MAD estimates the standard deviation, and
 *   1.2533 σ/√n is the standard error of a median).
 * - The measurement is valid once that standard error is at most `maxStandardError`: pairs are
 *   added while the noise is too high, up to `maxPairs`. Only the noise decides this, never where
 *   the median lies, so a bad result is never measured again. If the noise is still too high at
 *   `maxPairs`, the machine was too loaded to measure and the comparison fails, saying so; it never
 *   passes without a valid measurement.
 *
 * Why the default decides safely: a standard error of at most 0.1 in ln puts bounds of 0.6–1.6
 * (−0.51 and +0.47 in ln) more than 4.7 standard errors away from equal costs, a false failure
 * well below one in a hundred thousand; a path that skips the work (a ratio near 0.25, ln ≈ −1.4)
 * is more than 7 standard errors past the lower bound and fails every time. Measured here (two
 * cores, load average 3–5): 16 pairs reach a standard error of 0.02–0.08 with the login test's
 * 64 MiB hash (about 2 s); a 16 MiB hash, noisier, needed 16–28 pairs.
 */
export interface PairedTiming {
  /** exp(median of ln(b/a)). */
  ratio: number;
  /** The estimated standard error of ln(ratio). */
  standardError: number;
  pairs: number;
}

export async function pairedTimingRatio(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  { warmUp = 4, minPairs = 16, maxPairs = 120, maxStandardError = 0.1 } = {},
): Promise<PairedTiming> {
  const time = async (run: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  // The first requests pay for connections and JIT compilation, on both paths.
  for (let i = 0; i < warmUp; i++) {
    await a();
    await b();
  }
  const logRatios: number[] = [];
  let standardError = Infinity;
  while (logRatios.length < maxPairs) {
    let timeA: number;
    let timeB: number;
    if (logRatios.length % 2 === 0) {
      timeA = await time(a);
      timeB = await time(b);
    } else {
      timeB = await time(b);
      timeA = await time(a);
    }
    logRatios.push(Math.log(timeB / timeA));
    if (logRatios.length < minPairs || logRatios.length % 2 !== 0) continue;
    const center = median(logRatios);
    const mad = median(logRatios.map((value) => Math.abs(value - center)));
    standardError = (1.2533 * 1.4826 * mad) / Math.sqrt(logRatios.length);
    if (standardError <= maxStandardError) return { ratio: Math.exp(center), standardError, pairs: logRatios.length };
  }
  throw new Error(
    `the machine was too loaded to compare the timings: after ${maxPairs} pairs the standard error of ln(ratio) was ` +
      `${standardError.toFixed(3)} (at most ${maxStandardError} decides); load average ${os
        .loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2 : (sorted[middle] as number);
}
