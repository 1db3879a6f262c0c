import type { BenchContext } from '../context';
import { runHttpLoad, startHttpLoad, type HttpLoad, type HttpLoadResult } from '../http-load';
import { fmt, verdict, type ScenarioOutcome } from '../report';
import { concatSamples, median, ratio, round, summarize } from '../stats';
import { accessTokens } from '../users';

const TARGET_ROWS_PER_S = 20_000;
/** p99 without / p99 during ≥ 0.5, i.e. the API's p99 at most doubles while the worker runs. */
const TARGET_RATIO = 0.5;
/** The API load beside the worker: a steady share of what this machine's user-api can serve. */
const API_LOAD_SHARE = 0.25;
const API_CONNECTIONS = 10;
const SEED_CHUNK = 50_000;

interface LogLine {
  message?: string;
  timestamp?: string;
  kind?: string;
  kind_deleted?: number;
  rows_per_s?: number;
  batch_ms?: number;
  deleted?: Record<string, number>;
  duration_s?: number;
  outcome?: string;
}

interface WorkerRun {
  load: HttpLoadResult;
  deleted: number;
  rowsPerSecond: number;
  batches: number;
  runSeconds: number;
  /** API latencies completed between the worker's first batch and its summary line, and the rest. */
  whileDeleting: Float64Array;
  outsideDeleting: Float64Array;
}

/** `count` expired rows copied from a real audit row, then VACUUM ANALYZE, as an old table would be. */
async function seedExpiredRows(ctx: BenchContext, templateId: string, count: number): Promise<void> {
  ctx.log(`cleanup: seeding ${count} expired audit rows`);
  for (let seeded = 0; seeded < count; seeded += SEED_CHUNK) {
    await ctx.infra.seedWithoutTriggers(
      `INSERT INTO audit_logs (id, event_type, event_category, severity, user_id, actor_type, actor_identifier, action,
                               resource_type, resource_id, ip_address, user_agent, request_id, session_id, metadata,
                               previous_state, new_state, status, failure_reason, retention_until, is_sensitive, created_at)
       SELECT gen_random_uuid(), t.event_type, t.event_category, t.severity, t.user_id, t.actor_type, t.actor_identifier, t.action,
              t.resource_type, t.resource_id, t.ip_address, t.user_agent, t.request_id, t.session_id, t.metadata,
              t.previous_state, t.new_state, t.status, t.failure_reason,
              now() - interval '400 days' + g * interval '1 millisecond', t.is_sensitive,
              now() - interval '3000 days' + g * interval '1 millisecond'
         FROM audit_logs t, generate_series($2::int + 1, $2::int + $3::int) AS g
        WHERE t.id = $1`,
      [templateId, seeded, Math.min(SEED_CHUNK, count - seeded)],
    );
  }
  await ctx.infra.sql('VACUUM (ANALYZE) audit_logs');
}

/** One run of the worker process with `load` on the API from its start to its exit. */
async function runWorker(ctx: BenchContext, load: HttpLoad): Promise<WorkerRun> {
  const running = startHttpLoad(load);
  const worker = ctx.startCleanupWorker();
  const exitCode = await worker.exit;
  running.stop();
  const result = await running.done;
  const lines = worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
  // The log file collects every run: only this run's lines, from its last start line on.
  const start = lines.map((line) => line.message).lastIndexOf('audit cleanup starting');
  const own = lines.slice(Math.max(0, start));
  const batches = own.filter((line) => line.message === 'audit cleanup batch' && line.kind === 'audit_logs');
  const summary = own.find((line) => line.message === 'audit cleanup summary');
  if (exitCode !== 0 || summary?.outcome !== 'completed')
    throw new Error(`audit-cleanup-worker failed (exit ${exitCode}):\n${worker.output().slice(-4000)}`);
  // Split only for the explanation, not the verdict: before the first batch the process starts,
  // connects and takes its lock; after the summary it pushes metrics and exits.
  const first = batches[0];
  const from = first?.timestamp ? Date.parse(first.timestamp) - (first.batch_ms ?? 0) : NaN;
  const until = summary.timestamp ? Date.parse(summary.timestamp) : NaN;
  const deleting = (index: number) => {
    const at = result.completedAt[index] as number;
    return at >= from && at <= until;
  };
  return {
    load: result,
    deleted: summary.deleted?.audit_logs ?? 0,
    rowsPerSecond: batches[batches.length - 1]?.rows_per_s ?? 0,
    batches: batches.length,
    runSeconds: summary.duration_s ?? NaN,
    whileDeleting: result.samples.filter((_, index) => deleting(index)),
    outsideDeleting: result.samples.filter((_, index) => !deleting(index)),
  };
}

/**
 * audit-cleanup-worker on N expired audit rows (shaped like real ones: copies of a login's audit
 * row, created 3,000 days ago, retention long past; the table vacuumed and analysed as an old table
 * is): rows deleted per second, and the p99 of authenticated GET /api/v1/users/me at a steady
 * moderate rate while the worker runs, against the same load without it.
 */
export async function cleanupScenario(ctx: BenchContext): Promise<ScenarioOutcome> {
  const { durations } = ctx.options;
  await ctx.seededUsers();
  const api = await ctx.startUserApi('user-api.cleanup');
  try {
    const tokens = await accessTokens(api.publicUrl, API_CONNECTIONS);
    const load = (durationMs: number, overallRate?: number): HttpLoad => ({
      url: `${api.publicUrl}/api/v1/users/me`,
      method: 'GET',
      connections: API_CONNECTIONS,
      durationMs,
      perConnection: tokens.map((token) => ({ headers: { authorization: `Bearer ${token}` } })),
      ...(overallRate ? { overallRate } : {}),
    });

    const [template] = await ctx.infra.sql('SELECT id FROM audit_logs ORDER BY created_at DESC LIMIT 1');
    if (!template) throw new Error('no audit row to model the expired rows on');

    // The steady API load: a share of what this user-api serves flat out on this machine.
    await runHttpLoad(load(durations.warmupMs));
    const capacity = await runHttpLoad(load(Math.max(2_000, durations.warmupMs)));
    const rate = Math.max(20, Math.round(capacity.okPerSecond * API_LOAD_SHARE));
    ctx.log(
      `cleanup: API at ${rate} req/s (${API_LOAD_SHARE * 100}% of ${Math.round(capacity.okPerSecond)} req/s); ${durations.rounds} runs of the worker`,
    );

    // A run lasts about a second: one run's p99 rests on a thousand samples, so the worker runs
    // `rounds` times (fresh rows each time), each right after a quiet sample of the same length.
    const runs: WorkerRun[] = [];
    const quiet: HttpLoadResult[] = [];
    for (let round = 0; round < durations.rounds; round++) {
      await seedExpiredRows(ctx, template.id as string, durations.cleanupRows);
      quiet.push(await runHttpLoad(load(durations.cleanupQuietMs, rate)));
      runs.push(await runWorker(ctx, load(3_600_000, rate)));
    }
    const without = summarize(concatSamples(quiet.map((run) => run.samples)));
    const during = summarize(concatSamples(runs.map((run) => run.load.samples)));
    const whileDeleting = summarize(concatSamples(runs.map((run) => run.whileDeleting)));
    const outsideDeleting = summarize(concatSamples(runs.map((run) => run.outsideDeleting)));
    const rowsPerSecond = round(median(runs.map((run) => run.rowsPerSecond)));
    const deleted = Math.min(...runs.map((run) => run.deleted));
    const failed = [...quiet, ...runs.map((run) => run.load)].reduce((sum, run) => sum + run.non2xx + run.errors, 0);
    const p99Ratio = ratio(without.p99, during.p99);
    const rowsMet = rowsPerSecond >= TARGET_ROWS_PER_S && deleted >= durations.cleanupRows;
    const p99Met = p99Ratio >= TARGET_RATIO && failed === 0;
    ctx.log(
      `cleanup: ${fmt.rate(rowsPerSecond, 'rows/s')} (median of ${runs.length} runs of ${durations.cleanupRows} rows); ` +
        `API p99 ${fmt.ms(during.p99)} during vs ${fmt.ms(without.p99)} without ` +
        `(${fmt.ms(whileDeleting.p99)} while it deletes, ${fmt.ms(outsideDeleting.p99)} while it starts and exits)`,
    );
    return {
      name: 'cleanup',
      summary: {
        ratio: p99Ratio,
        rows_per_s: rowsPerSecond,
        rows: durations.cleanupRows,
        api_rate_per_s: rate,
        api_p99_without_ms: without.p99,
        api_p99_during_ms: during.p99,
        target_met: rowsMet && p99Met,
      },
      details: {
        ratio: p99Ratio,
        rows_per_run: durations.cleanupRows,
        rows_per_s: rowsPerSecond,
        runs: runs.map((run) => ({
          rows_deleted: run.deleted,
          rows_per_s: run.rowsPerSecond,
          batches: run.batches,
          worker_run_s: run.runSeconds,
          api_p99_ms: run.load.latency.p99,
        })),
        api: {
          rate_per_s: rate,
          connections: API_CONNECTIONS,
          capacity_per_s: round(capacity.okPerSecond),
          failed,
          without,
          during,
          during_deletion: whileDeleting,
          during_start_and_exit: outsideDeleting,
        },
      },
      rows: [
        {
          metric: 'audit rows deleted/s',
          measured: fmt.rate(rowsPerSecond, '/s'),
          baseline: '',
          ratio: '',
          target: `≥ ${TARGET_ROWS_PER_S.toLocaleString('en-US')}/s`,
          verdict: verdict(rowsMet),
        },
        {
          metric: `API p99 during run (@${rate}/s)`,
          measured: fmt.ms(during.p99),
          baseline: fmt.ms(without.p99),
          ratio: fmt.ratio(p99Ratio),
          target: `ratio ≥ ${TARGET_RATIO} (≤ 2×)`,
          verdict: verdict(p99Met),
        },
      ],
    };
  } finally {
    await api.process.stop();
  }
}
