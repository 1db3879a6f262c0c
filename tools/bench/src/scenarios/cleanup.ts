import type { BenchContext } from '../context';
import { runHttpLoad, startHttpLoad, type HttpLoad } from '../http-load';
import { fmt, verdict, type ScenarioOutcome } from '../report';
import { ratio, round, summarize } from '../stats';
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

    ctx.log(`cleanup: seeding ${durations.cleanupRows} expired audit rows`);
    const [template] = await ctx.infra.sql('SELECT id FROM audit_logs ORDER BY created_at DESC LIMIT 1');
    if (!template) throw new Error('no audit row to model the expired rows on');
    for (let seeded = 0; seeded < durations.cleanupRows; seeded += SEED_CHUNK) {
      await ctx.infra.sql(
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
        [template.id, seeded, Math.min(SEED_CHUNK, durations.cleanupRows - seeded)],
      );
    }
    await ctx.infra.sql('VACUUM (ANALYZE) audit_logs');

    // The steady API load: a share of what this user-api serves flat out on this machine.
    await runHttpLoad(load(durations.warmupMs));
    const capacity = await runHttpLoad(load(Math.max(2_000, durations.warmupMs)));
    const rate = Math.max(20, Math.round(capacity.okPerSecond * API_LOAD_SHARE));
    ctx.log(`cleanup: API at ${rate} req/s (${API_LOAD_SHARE * 100}% of ${Math.round(capacity.okPerSecond)} req/s), ${durations.cleanupQuietMs} ms without the worker`);
    const quiet = await runHttpLoad(load(durations.cleanupQuietMs, rate));

    ctx.log('cleanup: the worker runs, the same API load beside it');
    const running = startHttpLoad(load(3_600_000, rate));
    const worker = ctx.startCleanupWorker();
    const exitCode = await worker.exit;
    running.stop();
    const during = await running.done;
    const lines = worker
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
    const auditBatches = lines.filter((line) => line.message === 'audit cleanup batch' && line.kind === 'audit_logs');
    const summary = lines.find((line) => line.message === 'audit cleanup summary');
    if (exitCode !== 0 || summary?.outcome !== 'completed') throw new Error(`audit-cleanup-worker failed (exit ${exitCode}):\n${worker.output().slice(-4000)}`);
    const deleted = summary.deleted?.audit_logs ?? 0;
    const lastBatch = auditBatches[auditBatches.length - 1];
    const rowsPerSecond = lastBatch?.rows_per_s ?? 0;
    const p99Ratio = ratio(quiet.latency.p99, during.latency.p99);
    // For the explanation, not the verdict: the same samples split at the worker's first batch
    // (before it: the process starting, connecting, taking its lock) and its summary line.
    const firstBatch = auditBatches[0];
    const deletingFrom = firstBatch?.timestamp ? Date.parse(firstBatch.timestamp) - (firstBatch.batch_ms ?? 0) : NaN;
    const deletingUntil = summary.timestamp ? Date.parse(summary.timestamp) : NaN;
    const phase = (keep: (at: number) => boolean) => summarize(during.samples.filter((_, index) => keep(during.completedAt[index] as number)));
    const whileDeleting = phase((at) => at >= deletingFrom && at <= deletingUntil);
    const outsideDeleting = phase((at) => at < deletingFrom || at > deletingUntil);
    const rowsMet = rowsPerSecond >= TARGET_ROWS_PER_S && deleted >= durations.cleanupRows;
    const p99Met = p99Ratio >= TARGET_RATIO && during.non2xx === 0 && quiet.non2xx === 0;
    ctx.log(
      `cleanup: ${fmt.rate(rowsPerSecond, 'rows/s')} (${deleted} rows, run ${summary.duration_s} s); ` +
        `API p99 ${fmt.ms(during.latency.p99)} during vs ${fmt.ms(quiet.latency.p99)} without ` +
        `(${fmt.ms(whileDeleting.p99)} while it deletes, ${fmt.ms(outsideDeleting.p99)} while it starts and exits)`,
    );
    return {
      name: 'cleanup',
      summary: {
        ratio: p99Ratio,
        rows_per_s: rowsPerSecond,
        rows: deleted,
        api_rate_per_s: rate,
        api_p99_without_ms: quiet.latency.p99,
        api_p99_during_ms: during.latency.p99,
        target_met: rowsMet && p99Met,
      },
      details: {
        ratio: p99Ratio,
        rows_seeded: durations.cleanupRows,
        rows_deleted: deleted,
        rows_per_s: rowsPerSecond,
        batches: auditBatches.length,
        batch_ms_p50: round(auditBatches.map((line) => line.batch_ms ?? 0).sort((a, b) => a - b)[Math.floor(auditBatches.length / 2)] ?? NaN),
        worker_run_s: summary.duration_s,
        api: {
          rate_per_s: rate,
          connections: API_CONNECTIONS,
          capacity_per_s: round(capacity.okPerSecond),
          without: { ...quiet.latency, completed: quiet.completed, non2xx: quiet.non2xx },
          during: { ...during.latency, completed: during.completed, non2xx: during.non2xx, seconds: round(during.seconds) },
          during_deletion: { ...whileDeleting, seconds: round((deletingUntil - deletingFrom) / 1000) },
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
          measured: fmt.ms(during.latency.p99),
          baseline: fmt.ms(quiet.latency.p99),
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
