import { credentials, Metadata } from '@grpc/grpc-js';
import { UserServiceClient, type User } from '@pandora/grpc-contract';
import type { BenchContext } from '../context';
import { perOperation } from '../cpu-accounting';
import { runGrpcLoad } from '../grpc-load';
import { comparisonJson, fmt, verdict, type ScenarioOutcome } from '../report';
import { alternate, type RoundResult } from '../rounds';

const CONCURRENCY = 50;
// The second performance round raised it from 0.5 (docs/benchmarks.md).
const TARGET_RATIO = 0.7;

async function getUserOnce(address: string, token: string, userId: string): Promise<User> {
  const client = new UserServiceClient(address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  try {
    return await new Promise<User>((resolve, reject) =>
      client.getUser({ userId }, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
        error || !response?.user ? reject(error ?? new Error('GetUser answered no user')) : resolve(response.user),
      ),
    );
  } finally {
    client.close();
  }
}

/**
 * GetUser calls/s and latency through user-grpc (interceptors: observe, recovery, caller
 * authentication; validation; the user read; the call's log line and metrics) with 50 calls in
 * flight over one channel, against a bare grpc-js server of the same generated service answering
 * a fixed user.
 */
export async function grpcGetUserScenario(ctx: BenchContext): Promise<ScenarioOutcome> {
  const { durations } = ctx.options;
  const users = await ctx.seededUsers();
  const grpc = await ctx.startUserGrpc('user-grpc');
  const userIds = users.map((user) => user.id);
  const sample = await getUserOnce(grpc.address, ctx.infra.grpcToken, userIds[0] as string);
  const bare = await ctx.startBaseline<{ port: number }>('baseline.bare-grpc', 'bare-grpc.ts', {
    BARE_USER: JSON.stringify({ ...sample, createdAt: sample.createdAt?.toISOString(), updatedAt: sample.updatedAt?.toISOString() }),
  });
  const bareAddress = `127.0.0.1:${bare.ready.port}`;

  const load = (address: string, durationMs: number) =>
    runGrpcLoad({ address, token: ctx.infra.grpcToken, userIds, concurrency: CONCURRENCY, durationMs });
  const round = async (address: string, processUnderTest: typeof bare.process): Promise<RoundResult> => {
    const cpu = await ctx.cpuWindow(processUnderTest);
    const run = await load(address, durations.roundMs);
    return {
      ok: run.ok,
      failed: run.completed - run.ok,
      seconds: run.seconds,
      samples: run.samples,
      cpu: await cpu.end(),
      failures: run.failures,
    };
  };

  try {
    ctx.log(`grpc_get_user: warm-up ${durations.warmupMs} ms each side, ${CONCURRENCY} calls in flight`);
    await load(bareAddress, durations.warmupMs);
    await load(grpc.address, durations.warmupMs);
    const comparison = await alternate(
      durations.rounds,
      () => round(bareAddress, bare.process),
      () => round(grpc.address, grpc.process),
    );
    const met = comparison.ratio >= TARGET_RATIO && comparison.measured.failed === 0;
    ctx.log(
      `grpc_get_user: ${fmt.rate(comparison.measured.throughput, 'calls/s')} vs ${fmt.rate(comparison.baseline.throughput, 'calls/s')} → ratio ${fmt.ratio(comparison.ratio)}`,
    );
    return {
      name: 'grpc_get_user',
      summary: {
        ratio: comparison.ratio,
        calls_per_s: comparison.measured.throughput,
        p50_ms: comparison.measured.latency.p50,
        p99_ms: comparison.measured.latency.p99,
        baseline_calls_per_s: comparison.baseline.throughput,
        baseline_p99_ms: comparison.baseline.latency.p99,
        concurrency: CONCURRENCY,
        failed: comparison.measured.failed,
        target_met: met,
      },
      details: {
        ...comparisonJson(comparison),
        concurrency: CONCURRENCY,
        cpu_ms_per_call: perOperation(comparison.measured.cpu, comparison.measured.ok),
        baseline_cpu_ms_per_call: perOperation(comparison.baseline.cpu, comparison.baseline.ok),
      },
      rows: [
        {
          metric: `calls/s (${CONCURRENCY} in flight)`,
          measured: fmt.rate(comparison.measured.throughput, '/s'),
          baseline: fmt.rate(comparison.baseline.throughput, '/s'),
          ratio: fmt.ratio(comparison.ratio),
          target: `ratio ≥ ${TARGET_RATIO}`,
          verdict: verdict(met),
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
          target: '',
          verdict: '',
        },
      ],
    };
  } finally {
    await bare.process.stop();
    await grpc.process.stop();
  }
}
