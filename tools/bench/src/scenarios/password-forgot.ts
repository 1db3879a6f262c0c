import type { BenchContext } from '../context';
import { perOperation } from '../cpu-accounting';
import { runHttpLoad } from '../http-load';
import { measuredHttpRound } from '../http-round';
import { comparisonJson, fmt, verdict, type ScenarioOutcome } from '../report';
import { alternate, type RoundResult } from '../rounds';
import { ratio } from '../stats';
import { benchUsers } from '../users';

/** Requests per second over all connections: well below saturation, as one observer timing answers. */
export const FORGOT_RATE = 100;
const FORGOT_CONNECTIONS = 4;
/** Known / unknown median latency must stay within this band. */
export const FORGOT_LATENCY_BAND = { min: 0.8, max: 1.25 } as const;

/** Whether a latency ratio is inside the band (the answer says nothing about the account). */
export function withinBand(value: number): boolean {
  return Number.isFinite(value) && value >= FORGOT_LATENCY_BAND.min && value <= FORGOT_LATENCY_BAND.max;
}

/**
 * POST /api/v1/auth/password/forgot for addresses that have an account against addresses that do
 * not, ABBA rounds at the same fixed rate (open loop, 100/s over 4 connections): the service
 * answers 202 at once and looks the address up after the answer, so the answer's latency must not
 * depend on the account existing. The work after the answer (for a known address: the locked read,
 * the per-account mail cap, the link mail and its audit row — mostly the cap once the run has sent
 * an account's 3 mails) shows in the CPU per request, kept in the JSON.
 */
export async function passwordForgotScenario(ctx: BenchContext): Promise<ScenarioOutcome> {
  const { durations } = ctx.options;
  const api = await ctx.startUserApi('user-api.password_forgot');
  try {
    const users = await benchUsers(api.publicUrl);
    const load = (emails: string[]) => (durationMs: number) =>
      runHttpLoad({
        url: `${api.publicUrl}/api/v1/auth/password/forgot`,
        method: 'POST',
        connections: FORGOT_CONNECTIONS,
        overallRate: FORGOT_RATE,
        durationMs,
        headers: { 'content-type': 'application/json' },
        perConnection: emails.map((email) => ({ body: JSON.stringify({ email }) })),
      });
    const known = load(users.map((user) => user.email));
    const unknown = load(users.map((_, index) => `bench.nobody.${index}@example.com`));
    const round = (side: (durationMs: number) => ReturnType<typeof runHttpLoad>): Promise<RoundResult> =>
      measuredHttpRound(ctx, api.process, () => side(durations.roundMs));

    ctx.log(`password_forgot: warm-up ${durations.warmupMs} ms each side, ${FORGOT_RATE}/s`);
    await unknown(durations.warmupMs);
    await known(durations.warmupMs);
    const comparison = await alternate(
      durations.rounds,
      () => round(unknown),
      () => round(known),
    );
    const p50Ratio = ratio(comparison.measured.latency.p50, comparison.baseline.latency.p50);
    const p99Ratio = ratio(comparison.measured.latency.p99, comparison.baseline.latency.p99);
    const met = withinBand(p50Ratio) && comparison.measured.failed === 0 && comparison.baseline.failed === 0;
    ctx.log(
      `password_forgot: p50 known ${fmt.ms(comparison.measured.latency.p50)} / unknown ${fmt.ms(comparison.baseline.latency.p50)} → ${fmt.ratio(p50Ratio)}`,
    );
    const band = `${FORGOT_LATENCY_BAND.min}–${FORGOT_LATENCY_BAND.max}`;
    return {
      name: 'password_forgot',
      summary: {
        p50_ratio: p50Ratio,
        p99_ratio: p99Ratio,
        known_p50_ms: comparison.measured.latency.p50,
        unknown_p50_ms: comparison.baseline.latency.p50,
        known_p99_ms: comparison.measured.latency.p99,
        unknown_p99_ms: comparison.baseline.latency.p99,
        rate_per_s: FORGOT_RATE,
        failed: comparison.measured.failed + comparison.baseline.failed,
        target_met: met,
      },
      details: {
        ...comparisonJson(comparison),
        rate_per_s: FORGOT_RATE,
        connections: FORGOT_CONNECTIONS,
        measured_is: 'addresses with an account',
        baseline_is: 'addresses without one',
        cpu_ms_per_request_known: perOperation(comparison.measured.cpu, comparison.measured.ok),
        cpu_ms_per_request_unknown: perOperation(comparison.baseline.cpu, comparison.baseline.ok),
      },
      rows: [
        {
          metric: `p50 known / unknown (@${FORGOT_RATE}/s)`,
          measured: fmt.ms(comparison.measured.latency.p50),
          baseline: fmt.ms(comparison.baseline.latency.p50),
          ratio: fmt.ratio(p50Ratio),
          target: `ratio ${band}`,
          verdict: verdict(met),
        },
        {
          metric: 'p99 known / unknown',
          measured: fmt.ms(comparison.measured.latency.p99),
          baseline: fmt.ms(comparison.baseline.latency.p99),
          ratio: fmt.ratio(p99Ratio),
          target: '',
          verdict: '',
        },
      ],
    };
  } finally {
    await api.process.stop();
  }
}
