import type { BenchContext } from './context';
import type { HttpLoadResult } from './http-load';
import type { BenchProcess } from './processes';
import type { RoundResult } from './rounds';

/**
 * One measured round of an HTTP load: a 2xx counts as an operation, any other answer or a
 * connection error as a failure, and the CPU is what the process under test (with PostgreSQL and
 * Redis) spent while the load ran.
 */
export async function measuredHttpRound(
  ctx: Pick<BenchContext, 'cpuWindow'>,
  processUnderTest: BenchProcess,
  load: () => Promise<HttpLoadResult>,
): Promise<RoundResult> {
  const cpu = await ctx.cpuWindow(processUnderTest);
  const run = await load();
  return {
    ok: run.completed - run.non2xx,
    failed: run.non2xx + run.errors,
    seconds: run.seconds,
    samples: run.samples,
    cpu: await cpu.end(),
    failures: run.statuses,
  };
}
