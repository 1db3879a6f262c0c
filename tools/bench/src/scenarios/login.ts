import { PRODUCTION_ARGON2, type BenchContext } from '../context';
import { perOperation } from '../cpu-accounting';
import { measuredHttpRound } from '../http-round';
import { loginLoad } from '../login-load';
import { comparisonJson, fmt, verdict, type ScenarioOutcome } from '../report';
import { alternate, type RoundResult } from '../rounds';
import { BENCH_PASSWORD, benchUsers } from '../users';

interface VerifyRun {
  completed: number;
  failed: number;
  seconds: number;
  latencies: number[];
}

const TARGET_RATIO = 0.85;

/**
 * Logins/s at concurrency 2 × cores (POST /api/v1/auth/login, the right password: every login
 * opens a session, writes its audit row and event) against raw Argon2id verify/s at the same
 * parameters and concurrency in one Node process. The hash is the physical limit of a login;
 * the ratio says how much everything else costs beside it.
 */
export async function loginScenario(ctx: BenchContext): Promise<ScenarioOutcome> {
  const { durations } = ctx.options;
  const concurrency = 2 * ctx.cores;
  const api = await ctx.startUserApi('user-api.login');
  const users = await benchUsers(api.publicUrl);
  const argon2 = await ctx.startBaseline<{ ready: true }>('baseline.argon2-verify', 'argon2-verify.ts', {
    ...PRODUCTION_ARGON2,
    BENCH_PASSWORD,
  });

  const verifyRun = (durationMs: number) =>
    new Promise<VerifyRun>((resolve) => {
      argon2.process.child.once('message', (message) => resolve(message as VerifyRun));
      argon2.process.child.send({ run: { concurrency, durationMs } });
    });
  const logins = loginLoad(api.publicUrl, users, concurrency);

  try {
    ctx.log(`login: warm-up ${durations.warmupMs} ms each side, concurrency ${concurrency}`);
    await verifyRun(durations.warmupMs);
    await logins(durations.warmupMs);

    const comparison = await alternate(
      durations.rounds,
      async (): Promise<RoundResult> => {
        const cpu = await ctx.cpuWindow(argon2.process);
        const run = await verifyRun(durations.roundMs);
        return {
          ok: run.completed - run.failed,
          failed: run.failed,
          seconds: run.seconds,
          samples: Float64Array.from(run.latencies),
          cpu: await cpu.end(),
          failures: run.failed ? { mismatch: run.failed } : {},
        };
      },
      () => measuredHttpRound(ctx, api.process, () => logins(durations.roundMs)),
    );
    const met = comparison.ratio >= TARGET_RATIO && comparison.measured.failed === 0;
    ctx.log(
      `login: ${fmt.rate(comparison.measured.throughput, 'logins/s')} vs ${fmt.rate(comparison.baseline.throughput, 'verify/s')} → ratio ${fmt.ratio(comparison.ratio)}`,
    );
    return {
      name: 'login',
      summary: {
        ratio: comparison.ratio,
        logins_per_s: comparison.measured.throughput,
        p50_ms: comparison.measured.latency.p50,
        p99_ms: comparison.measured.latency.p99,
        baseline_verify_per_s: comparison.baseline.throughput,
        baseline_p99_ms: comparison.baseline.latency.p99,
        concurrency,
        failed: comparison.measured.failed,
        target_met: met,
      },
      details: {
        ...comparisonJson(comparison),
        concurrency,
        argon2: { memory_kib: 65_536, time_cost: 1, parallelism: 4 },
        cpu_ms_per_login: perOperation(comparison.measured.cpu, comparison.measured.ok),
        cpu_ms_per_verify: perOperation(comparison.baseline.cpu, comparison.baseline.ok),
      },
      rows: [
        {
          metric: `logins/s (c=${concurrency})`,
          measured: fmt.rate(comparison.measured.throughput, '/s'),
          baseline: fmt.rate(comparison.baseline.throughput, '/s'),
          ratio: fmt.ratio(comparison.ratio),
          target: `ratio ≥ ${TARGET_RATIO}`,
          verdict: verdict(met),
        },
        {
          metric: 'login p50',
          measured: fmt.ms(comparison.measured.latency.p50),
          baseline: fmt.ms(comparison.baseline.latency.p50),
          ratio: '',
          target: '',
          verdict: '',
        },
        {
          metric: 'login p99',
          measured: fmt.ms(comparison.measured.latency.p99),
          baseline: fmt.ms(comparison.baseline.latency.p99),
          ratio: '',
          target: '',
          verdict: '',
        },
      ],
    };
  } finally {
    await argon2.process.stop();
    await api.process.stop();
  }
}
