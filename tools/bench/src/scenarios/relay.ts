import { randomUUID } from 'node:crypto';
import { encodeStreamEntry, type OutgoingEvent } from '@pandora/event-stream';
import Redis from 'ioredis';
import pg from 'pg';
import type { BenchContext } from '../context';
import { perOperation, type CpuBreakdown } from '../cpu-accounting';
import { fmt, verdict, type ScenarioOutcome } from '../report';
import { ratio, round, summarize } from '../stats';

/** The relay's defaults (README): the stream, its cap and the batch per MULTI/EXEC. */
const STREAM = 'user-service:events';
const STREAM_MAXLEN = 10_000;
const BATCH_SIZE = 500;
const FIXED_RATE = 1_000;
const TARGET_EVENTS_PER_S = 5_000;
const TARGET_P99_MS = 100;

interface TemplateEvent {
  event_type: string;
  aggregate_id: string | null;
  payload: unknown;
  metadata: Record<string, unknown>;
}

/**
 * Reads the stream as the relay fills it and notes, per event id, when Redis appended it (the
 * entry id's millisecond part is Redis' clock at XADD; PostgreSQL runs on the same host clock).
 */
class StreamWatcher {
  readonly appendedAt = new Map<string, number>();
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async start(): Promise<void> {
    const last = (await this.redis.xrevrange(this.key, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
    this.loop = this.read(last);
  }

  private async read(from: string): Promise<void> {
    let cursor = from;
    while (!this.stopped) {
      const reply = (await this.redis.xread('COUNT', 5_000, 'BLOCK', 200, 'STREAMS', this.key, cursor)) as Array<
        [string, Array<[string, string[]]>]
      > | null;
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          this.appendedAt.set(fields[1] as string, Number(id.slice(0, id.indexOf('-'))));
          cursor = id;
        }
      }
    }
  }

  async waitFor(ids: string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let missing = ids.filter((id) => !this.appendedAt.has(id)).length;
    while (missing > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      missing = ids.filter((id) => !this.appendedAt.has(id)).length;
    }
    return missing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** `XINFO STREAM`: entries ever added and the last id's millisecond (cheap to poll during a drain). */
async function streamInfo(redis: Redis, key: string): Promise<{ added: number; lastMs: number }> {
  const info = (await redis.call('XINFO', 'STREAM', key)) as Array<string | number>;
  const field = (name: string) => info[info.indexOf(name) + 1];
  const lastId = String(field('last-generated-id') ?? '0-0');
  return { added: Number(field('entries-added') ?? 0), lastMs: Number(lastId.slice(0, lastId.indexOf('-'))) };
}

async function unpublished(ctx: BenchContext): Promise<number> {
  const [row] = await ctx.infra.sql<{ n: number }>('SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL');
  return row?.n ?? 0;
}

async function waitUntilDrained(ctx: BenchContext, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await unpublished(ctx)) > 0) {
    if (Date.now() > deadline) throw new Error(`the relay did not drain the outbox within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One committed transaction inserting `count` events shaped like the template; resolves at the commit. */
async function insertBacklog(ctx: BenchContext, template: TemplateEvent, count: number): Promise<void> {
  await ctx.infra.sql(
    `INSERT INTO outbox_events (id, event_type, aggregate_id, payload, metadata, occurred_at)
     SELECT gen_random_uuid(), $1, $2, $3::jsonb, $4::jsonb, now() FROM generate_series(1, $5::int)`,
    [template.event_type, template.aggregate_id, JSON.stringify(template.payload), JSON.stringify(template.metadata), count],
  );
}

/**
 * Event-relay: commit → XADD latency at a fixed 1,000 events/s (each event its own committed
 * transaction, as API writes are), and events/s at saturation (a committed backlog drained as fast
 * as the relay can), against raw pipelined XADD of the same entries (same batch size, same cap)
 * from one Node client: Redis' own limit for this traffic.
 */
export async function relayScenario(ctx: BenchContext): Promise<ScenarioOutcome> {
  const { durations } = ctx.options;
  await ctx.seededUsers();
  const [template] = await ctx.infra.sql<TemplateEvent & Record<string, unknown>>(
    `SELECT event_type, aggregate_id, payload, metadata FROM outbox_events
      ORDER BY (event_type = 'user.logged_in') DESC, seq DESC LIMIT 1`,
  );
  if (!template) throw new Error('no outbox event to model the benchmark events on');
  const streamKey = `${ctx.infra.redisKeyPrefix}${STREAM}`;
  const waiting = await unpublished(ctx);
  const relay = await ctx.startRelay('event-relay');
  const reader = new Redis(ctx.infra.redisUrl, { connectionName: 'bench-stream-reader' });
  const producer = new pg.Pool({ connectionString: ctx.infra.databaseUrl, max: 8, application_name: 'bench-producer' });
  const watcher = new StreamWatcher(reader, streamKey);

  try {
    // Warm-up: whatever earlier scenarios left in the outbox, plus a backlog of our own.
    ctx.log(`relay: warm-up (draining the ${waiting} events earlier scenarios left + ${Math.min(10_000, durations.relayBacklog / 5)})`);
    await insertBacklog(ctx, template, Math.min(10_000, durations.relayBacklog / 5));
    await waitUntilDrained(ctx, 180_000);

    // Fixed rate: one single-row transaction per event, open loop (the schedule does not wait for the relay).
    ctx.log(`relay: ${FIXED_RATE} events/s for ${durations.relayFixedRateMs} ms`);
    await watcher.start();
    const ids: string[] = [];
    const inserts: Array<Promise<unknown>> = [];
    const cpuFixed = await ctx.cpuWindow(relay.process);
    const started = performance.now();
    while (performance.now() - started < durations.relayFixedRateMs) {
      const due = Math.floor(((performance.now() - started) * FIXED_RATE) / 1000);
      while (ids.length < due) {
        const id = randomUUID();
        ids.push(id);
        inserts.push(
          producer.query(
            `INSERT INTO outbox_events (id, event_type, aggregate_id, payload, metadata, occurred_at) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, now())`,
            [id, template.event_type, template.aggregate_id, JSON.stringify(template.payload), JSON.stringify(template.metadata)],
          ),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inserts);
    const producedSeconds = (performance.now() - started) / 1000;
    const missing = await watcher.waitFor(ids, 60_000);
    const fixedCpu = await cpuFixed.end();
    await watcher.stop();
    const created = await ctx.infra.sql<{ id: string; ms: number }>(
      `SELECT id, (extract(epoch FROM created_at) * 1000)::float8 AS ms FROM outbox_events WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const latencies = created.flatMap((row) => {
      const appended = watcher.appendedAt.get(row.id);
      return appended === undefined ? [] : [appended - row.ms];
    });
    const fixed = summarize(latencies);
    const fixedRate = ids.length / producedSeconds;

    // Saturation: a committed backlog, drained as fast as the relay goes.
    ctx.log(`relay: draining a backlog of ${durations.relayBacklog}`);
    const [{ max_seq: seqBefore } = { max_seq: '0' }] = await ctx.infra.sql<{ max_seq: string }>(
      'SELECT coalesce(max(seq), 0)::text AS max_seq FROM outbox_events',
    );
    const before = await streamInfo(ctx.infra.redis, streamKey);
    const cpuDrain = await ctx.cpuWindow(relay.process);
    await insertBacklog(ctx, template, durations.relayBacklog);
    const committedAt = Date.now();
    let info = before;
    const deadline = committedAt + 300_000;
    while (info.added - before.added < durations.relayBacklog) {
      if (Date.now() > deadline) throw new Error('the relay did not publish the backlog within 300 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
      info = await streamInfo(ctx.infra.redis, streamKey);
    }
    const drainCpu = await cpuDrain.end();
    const drainSeconds = (info.lastMs - committedAt) / 1000;
    const relayPerSecond = durations.relayBacklog / drainSeconds;

    // Baseline: the same entries, XADDed raw (pipelines of the same batch size, same cap).
    const rows = await ctx.infra.sql<{
      id: string;
      event_type: string;
      aggregate_id: string | null;
      payload: unknown;
      metadata: Record<string, unknown>;
      occurred_at: Date;
    }>(`SELECT id, event_type, aggregate_id, payload, metadata, occurred_at FROM outbox_events WHERE seq > $1::bigint ORDER BY seq`, [
      seqBefore,
    ]);
    const rawKey = `${ctx.infra.redisKeyPrefix}bench:raw-xadd`;
    const rawStarted = performance.now();
    for (let offset = 0; offset < rows.length; offset += BATCH_SIZE) {
      const pipeline = ctx.infra.redis.pipeline();
      for (const row of rows.slice(offset, offset + BATCH_SIZE)) {
        const event: OutgoingEvent = {
          eventId: row.id,
          eventType: row.event_type,
          userId: row.aggregate_id,
          occurredAt: row.occurred_at,
          payload: row.payload,
          metadata: row.metadata,
        };
        pipeline.xadd(rawKey, 'MAXLEN', '~', String(STREAM_MAXLEN), '*', ...encodeStreamEntry(event));
      }
      await pipeline.exec();
    }
    const rawPerSecond = rows.length / ((performance.now() - rawStarted) / 1000);
    await ctx.infra.redis.unlink(rawKey);

    const throughputMet = relayPerSecond >= TARGET_EVENTS_PER_S;
    const latencyMet = fixed.p99 < TARGET_P99_MS && missing === 0;
    const relayRatio = ratio(relayPerSecond, rawPerSecond);
    ctx.log(
      `relay: ${fmt.rate(relayPerSecond, 'events/s')} at saturation vs raw XADD ${fmt.rate(rawPerSecond, 'events/s')}; ` +
        `at ${fmt.rate(fixedRate, 'events/s')} commit→XADD p50 ${fmt.ms(fixed.p50)} p99 ${fmt.ms(fixed.p99)}`,
    );
    const cpuPerEvent = (cpu: CpuBreakdown | null, events: number) => perOperation(cpu, events);
    return {
      name: 'relay',
      summary: {
        ratio: relayRatio,
        events_per_s: round(relayPerSecond),
        baseline_xadd_per_s: round(rawPerSecond),
        fixed_rate_per_s: round(fixedRate),
        p50_ms: fixed.p50,
        p99_ms: fixed.p99,
        missing: missing,
        target_met: throughputMet && latencyMet,
      },
      details: {
        ratio: relayRatio,
        batch_size: BATCH_SIZE,
        stream_maxlen: STREAM_MAXLEN,
        fixed_rate: {
          target_per_s: FIXED_RATE,
          produced: ids.length,
          produced_per_s: round(fixedRate),
          missing,
          commit_to_xadd_ms: fixed,
          cpu_seconds: fixedCpu,
          cpu_ms_per_event: cpuPerEvent(fixedCpu, ids.length),
        },
        saturation: {
          backlog: durations.relayBacklog,
          seconds: round(drainSeconds),
          events_per_s: round(relayPerSecond),
          cpu_seconds: drainCpu,
          cpu_ms_per_event: cpuPerEvent(drainCpu, durations.relayBacklog),
        },
        baseline: { entries: rows.length, xadd_per_s: round(rawPerSecond) },
      },
      rows: [
        {
          metric: 'events/s (saturation)',
          measured: fmt.rate(relayPerSecond, '/s'),
          baseline: fmt.rate(rawPerSecond, '/s'),
          ratio: fmt.ratio(relayRatio),
          target: `≥ ${TARGET_EVENTS_PER_S.toLocaleString('en-US')}/s`,
          verdict: verdict(throughputMet),
        },
        { metric: `commit→XADD p50 @${FIXED_RATE}/s`, measured: fmt.ms(fixed.p50), baseline: '', ratio: '', target: '', verdict: '' },
        {
          metric: `commit→XADD p99 @${FIXED_RATE}/s`,
          measured: fmt.ms(fixed.p99),
          baseline: '',
          ratio: '',
          target: `< ${TARGET_P99_MS} ms`,
          verdict: verdict(latencyMet),
        },
      ],
    };
  } finally {
    await watcher.stop().catch(() => undefined);
    reader.disconnect();
    await producer.end().catch(() => undefined);
    await relay.process.stop();
  }
}
