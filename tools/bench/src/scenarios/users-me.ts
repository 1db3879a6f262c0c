import type { BenchContext } from '../context';
import { perOperation } from '../cpu-accounting';
import { runHttpLoad } from '../http-load';
import { measuredHttpRound } from '../http-round';
import { comparisonJson, fmt, verdict, type ScenarioOutcome } from '../report';
import { alternate, type RoundResult } from '../rounds';
import { accessTokens } from '../users';

export const USERS_ME_CONNECTIONS = 50;
// The second performance round raised it from 0.5 (docs/benchmarks.md).
const TARGET_RATIO = 0.6;
const TARGET_P99_MS = 25;

/**
 * Authenticated GET /api/v1/users/me (JWT verification, the session check, the user read, the
 * access log line and metrics) with 50 connections, each its own session, against a bare express 5
 * handler answering the same JSON body to the same load (same connections, same headers).
 */
export async function usersMeScenario(ctx: BenchContext): Promise<ScenarioOutcome> {
  const { durations } = ctx.options;
  const api = await ctx.startUserApi('user-api.users_me');
  const tokens = await accessTokens(api.publicUrl, USERS_ME_CONNECTIONS);
  const answer = await fetch(`${api.publicUrl}/api/v1/users/me`, { headers: { authorization: `Bearer ${tokens[0]}` } });
  if (answer.status !== 200) throw new Error(`GET /api/v1/users/me answered ${answer.status}: ${await answer.text()}`);
  const body = await answer.text();
  const bare = await ctx.startBaseline<{ port: number }>('baseline.bare-express', 'bare-express.ts', { BARE_BODY: body });
  const bareUrl = `http://127.0.0.1:${bare.ready.port}`;

  const load = (baseUrl: string, durationMs: number) =>
    runHttpLoad({
      url: `${baseUrl}/api/v1/users/me`,
      method: 'GET',
      connections: USERS_ME_CONNECTIONS,
      durationMs,
      perConnection: tokens.map((token) => ({ headers: { authorization: `Bearer ${token}` } })),
    });
  const round = (baseUrl: string, processUnderTest: typeof bare.process): Promise<RoundResult> =>
    measuredHttpRound(ctx, processUnderTest, () => load(baseUrl, durations.roundMs));

  try {
    ctx.log(`users_me: warm-up ${durations.warmupMs} ms each side, ${USERS_ME_CONNECTIONS} connections`);
    await load(bareUrl, durations.warmupMs);
    await load(api.publicUrl, durations.warmupMs);
    const comparison = await alternate(
      durations.rounds,
      () => round(bareUrl, bare.process),
      () => round(api.publicUrl, api.process),
    );
    const ratioMet = comparison.ratio >= TARGET_RATIO && comparison.measured.failed === 0;
    const p99Met = comparison.measured.latency.p99 < TARGET_P99_MS;
    ctx.log(
      `users_me: ${fmt.rate(comparison.measured.throughput, 'req/s')} vs ${fmt.rate(comparison.baseline.throughput, 'req/s')} → ratio ${fmt.ratio(comparison.ratio)}, p99 ${fmt.ms(comparison.measured.latency.p99)}`,
    );
    return {
      name: 'users_me',
      summary: {
        ratio: comparison.ratio,
        req_per_s: comparison.measured.throughput,
        p50_ms: comparison.measured.latency.p50,
        p99_ms: comparison.measured.latency.p99,
        baseline_req_per_s: comparison.baseline.throughput,
        baseline_p99_ms: comparison.baseline.latency.p99,
        connections: USERS_ME_CONNECTIONS,
        failed: comparison.measured.failed,
        target_met: ratioMet && p99Met,
      },
      details: {
        ...comparisonJson(comparison),
        connections: USERS_ME_CONNECTIONS,
        sessions: tokens.length,
        cpu_ms_per_request: perOperation(comparison.measured.cpu, comparison.measured.ok),
        baseline_cpu_ms_per_request: perOperation(comparison.baseline.cpu, comparison.baseline.ok),
      },
      rows: [
        {
          metric: `req/s (${USERS_ME_CONNECTIONS} conns)`,
          measured: fmt.rate(comparison.measured.throughput, '/s'),
          baseline: fmt.rate(comparison.baseline.throughput, '/s'),
          ratio: fmt.ratio(comparison.ratio),
          target: `ratio ≥ ${TARGET_RATIO}`,
          verdict: verdict(ratioMet),
        },
        {
          metric: 'p50',
          measured: fmt.ms(comparison.measured.latency.p50),
          baseline: fmt.ms(comparison.baseline.latency.p50),
          ratio: '',
          target: '',
          verdict: '',
        },
        {
          metric: 'p99',
          measured: fmt.ms(comparison.measured.latency.p99),
          baseline: fmt.ms(comparison.baseline.latency.p99),
          ratio: '',
          target: `< ${TARGET_P99_MS} ms`,
          verdict: verdict(p99Met),
        },
      ],
    };
  } finally {
    await bare.process.stop();
    await api.process.stop();
  }
}
