import type { CpuBreakdown } from './cpu-accounting';
import { concatSamples, ratio, round, summarize, type LatencySummary } from './stats';

/** One measured run of one side: how many operations succeeded, in how long, how fast each was. */
export interface RoundResult {
  ok: number;
  failed: number;
  seconds: number;
  samples: Float64Array;
  cpu: CpuBreakdown | null;
  /** Why operations failed (status codes, gRPC codes), for the report. */
  failures: Record<string, number>;
}

export interface SideSummary {
  /** Successful operations per second over all rounds. */
  throughput: number;
  ok: number;
  failed: number;
  seconds: number;
  latency: LatencySummary;
  /** Per round, to show the spread. */
  rounds: number[];
  cpu: CpuBreakdown | null;
  failures: Record<string, number>;
}

export interface Comparison {
  baseline: SideSummary;
  measured: SideSummary;
  /** measured throughput / baseline throughput over all rounds. */
  ratio: number;
  /** The same per round pair: how much interference moved things. */
  roundRatios: number[];
}

/**
 * Runs baseline and measured side alternately, `rounds` times each, in ABBA order (B M, M B, B M…)
 * so that a slow drift of the machine (other work starting or stopping) weighs on both sides alike.
 */
export async function alternate(
  rounds: number,
  baseline: () => Promise<RoundResult>,
  measured: () => Promise<RoundResult>,
): Promise<Comparison> {
  const b: RoundResult[] = [];
  const m: RoundResult[] = [];
  for (let index = 0; index < rounds; index++) {
    if (index % 2 === 0) {
      b.push(await baseline());
      m.push(await measured());
    } else {
      m.push(await measured());
      b.push(await baseline());
    }
  }
  const baselineSummary = summarizeSide(b);
  const measuredSummary = summarizeSide(m);
  return {
    baseline: baselineSummary,
    measured: measuredSummary,
    ratio: ratio(measuredSummary.throughput, baselineSummary.throughput),
    roundRatios: m.map((result, index) =>
      ratio(result.ok / result.seconds, (b[index] as RoundResult).ok / (b[index] as RoundResult).seconds),
    ),
  };
}

export function summarizeSide(results: RoundResult[]): SideSummary {
  const ok = results.reduce((sum, result) => sum + result.ok, 0);
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  const seconds = results.reduce((sum, result) => sum + result.seconds, 0);
  const all = concatSamples(results.map((result) => result.samples));
  const failures: Record<string, number> = {};
  for (const result of results) for (const [name, count] of Object.entries(result.failures)) failures[name] = (failures[name] ?? 0) + count;
  return {
    throughput: round(ok / seconds),
    ok,
    failed,
    seconds: round(seconds),
    latency: summarize(all),
    rounds: results.map((result) => round(result.ok / result.seconds)),
    cpu: addCpu(results.map((result) => result.cpu)),
    failures,
  };
}

export function addCpu(windows: Array<CpuBreakdown | null>): CpuBreakdown | null {
  if (windows.length === 0 || windows.some((window) => window === null)) return null;
  const keys = ['seconds', 'app', 'appMainThread', 'postgres', 'redis', 'bench', 'other', 'idle', 'steal', 'capacity'] as const;
  const total = Object.fromEntries(keys.map((key) => [key, 0])) as unknown as CpuBreakdown;
  for (const window of windows as CpuBreakdown[]) for (const key of keys) total[key] = round(total[key] + window[key]);
  return total;
}
