/** Latency samples (milliseconds, sub-millisecond precision) and what the report says about them. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length > 0 ? (sorted[sorted.length - 1] as number) : NaN),
    mean: round(sorted.length > 0 ? total / sorted.length : NaN),
  };
}

/** A growable store of samples that never reallocates per sample. */
export class Samples {
  private chunks: Float64Array[] = [new Float64Array(65_536)];
  private used = 0;

  push(value: number): void {
    let chunk = this.chunks[this.chunks.length - 1] as Float64Array;
    if (this.used === chunk.length) {
      chunk = new Float64Array(chunk.length);
      this.chunks.push(chunk);
      this.used = 0;
    }
    chunk[this.used++] = value;
  }

  values(): Float64Array {
    const last = this.chunks.length - 1;
    const total = last * 65_536 + this.used;
    const out = new Float64Array(total);
    this.chunks.forEach((chunk, index) => out.set(index === last ? chunk.subarray(0, this.used) : chunk, index * 65_536));
    return out;
  }
}

export function concatSamples(parts: Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

/** Rounded for reports: 3 significant decimals below 10, 2 below 1000, integers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const magnitude = Math.abs(value);
  const digits = magnitude >= 1000 ? 0 : magnitude >= 10 ? 2 : 3;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function ratio(measured: number, baseline: number): number {
  return baseline > 0 && Number.isFinite(measured) ? Math.round((measured / baseline) * 1000) / 1000 : NaN;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
