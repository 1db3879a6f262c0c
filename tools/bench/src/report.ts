import type { ScenarioName } from './options';
import type { Comparison, SideSummary } from './rounds';
import { round } from './stats';

/** One line of the stdout table. */
export interface TableRow {
  metric: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  /** 'met', 'MISSED', or '' when the line has no target. */
  verdict: string;
}

export interface ScenarioOutcome {
  name: ScenarioName;
  /** The scenario's entry in the BENCH_JSON line: ratio first, then the headline figures. */
  summary: Record<string, unknown>;
  /** Everything measured (rounds, CPU breakdowns, settings), for the JSON file. */
  details: Record<string, unknown>;
  rows: TableRow[];
  /** Printed under the table (e.g. what each side of a peer comparison does per request). */
  notes?: string[];
}

export const fmt = {
  rate: (value: number, unit: string) => `${formatNumber(value)} ${unit}`,
  ms: (value: number) => `${formatNumber(value)} ms`,
  ratio: (value: number) => (Number.isFinite(value) ? value.toFixed(3) : 'n/a'),
};

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return round(value).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

export function verdict(met: boolean | null): string {
  return met === null ? '' : met ? 'met' : 'MISSED';
}

/** The JSON form of one side of a comparison (latencies in ms). */
export function sideJson(side: SideSummary): Record<string, unknown> {
  return {
    per_s: side.throughput,
    ok: side.ok,
    failed: side.failed,
    seconds: side.seconds,
    p50_ms: side.latency.p50,
    p90_ms: side.latency.p90,
    p99_ms: side.latency.p99,
    max_ms: side.latency.max,
    rounds_per_s: side.rounds,
    failures: side.failures,
    cpu_seconds: side.cpu,
  };
}

export function comparisonJson(comparison: Comparison): Record<string, unknown> {
  return {
    ratio: comparison.ratio,
    round_ratios: comparison.roundRatios,
    measured: sideJson(comparison.measured),
    baseline: sideJson(comparison.baseline),
  };
}

export function renderTable(outcomes: ScenarioOutcome[]): string {
  const header: TableRow = { metric: 'metric', measured: 'measured', baseline: 'baseline', ratio: 'ratio', target: 'target', verdict: '' };
  const rows: Array<TableRow & { scenario: string }> = [];
  for (const outcome of outcomes) outcome.rows.forEach((row, index) => rows.push({ ...row, scenario: index === 0 ? outcome.name : '' }));
  const all = [{ ...header, scenario: 'scenario' }, ...rows];
  const columns = ['scenario', 'metric', 'measured', 'baseline', 'ratio', 'target', 'verdict'] as const;
  const widths = columns.map((column) => Math.max(...all.map((row) => row[column].length)));
  const line = (row: (typeof all)[number]) =>
    columns
      .map((column, index) => {
        const text = row[column];
        const width = widths[index] as number;
        return column === 'measured' || column === 'baseline' || column === 'ratio' ? text.padStart(width) : text.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(all[0] as (typeof all)[number]), rule, ...rows.map(line)].join('\n');
}
