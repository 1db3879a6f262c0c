import { z } from 'zod';

/**
 * Go `time.ParseDuration` strings, as the original service used them everywhere (`900ms`, `10s`,
 * `15m`, `168h`, `1h30m`). Negative durations are refused: nothing here is configured backwards.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|μs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g;

/** Milliseconds in a Go duration string, or null when the string is not one. `0` is allowed. */
export function parseDuration(input: string): number | null {
  const text = input.trim();
  if (text === '0') return 0;
  if (!DURATION.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit as string] as number);
  return Math.round(total);
}

/** Formats milliseconds the way Go prints durations (`1h30m0s`, `900ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** A zod field for a duration env var with a default, bounded to sane values. */
export function durationSchema(defaultValue: string, bounds: { min?: string; max?: string } = {}) {
  const min = bounds.min ? (parseDuration(bounds.min) as number) : 0;
  const max = bounds.max ? (parseDuration(bounds.max) as number) : Number.MAX_SAFE_INTEGER;
  return z
    .string()
    .default(defaultValue)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `expected a Go duration such as 900ms, 10s, 15m or 168h, got "${value}"` });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be between ${bounds.min ?? '0s'} and ${bounds.max ?? 'unbounded'}, got "${value}"`,
        });
        return z.NEVER;
      }
      return ms;
    });
}
