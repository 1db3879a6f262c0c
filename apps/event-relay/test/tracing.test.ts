import pg from 'pg';
import {
  createTestDatabase,
  createTestRedis,
  spanAttribute,
  startFakeOtlpCollector,
  type ExportedSpan,
  type FakeOtlpCollector,
  type TestDatabase,
  type TestRedis,
} from '@pandora/testing';
import { isLeader, startRelay, type AppProcess } from './support/processes';
import { eventually } from './support/stream';
import { createDomain, PASSWORD, requestContext, uniqueEmail } from './support/use-cases';

/**
 * The relay process with OTEL_ENABLED=true against a collector played by the test. Its loop polls
 * PostgreSQL all the time; only rounds that publish something may become traces, each one
 * `relay.publish_batch` span with the PostgreSQL and Redis work beneath it.
 */
let collector: FakeOtlpCollector;
let db: TestDatabase;
let redis: TestRedis;
let relay: AppProcess;

beforeAll(async () => {
  [collector, db, redis] = await Promise.all([startFakeOtlpCollector(), createTestDatabase(), createTestRedis()]);
  relay = await startRelay(
    { databaseUrl: db.url, redisUrl: redis.url, redisKeyPrefix: redis.keyPrefix },
    {
      OTEL_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      EVENT_RELAY_POLL_INTERVAL: '50ms',
    },
  );
}, 60_000);
afterAll(async () => {
  await relay?.stop('SIGKILL');
  await redis?.cleanup();
  await db?.drop();
  await collector?.close();
});

/**
 * Until the relay has run `count` more rounds, each a query of its session at least
 * EVENT_RELAY_POLL_INTERVAL (50 ms) after the last by its own timer: a window measured in the
 * relay's own work, which a loaded machine stretches instead of cutting short. Its span exporter
 * flushes every 100 ms on the same event loop, so ten rounds also span several flushes.
 */
async function relayRounds(count: number): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const seen = new Set<string>();
    await eventually(
      async () => {
        const { rows } = await client.query<{ at: string }>(
          "SELECT query_start::text AS at FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'event-relay'",
        );
        for (const row of rows) seen.add(row.at);
        return seen.size > count; // the first sample is where counting starts
      },
      `${count} rounds of the relay`,
      30_000,
      10,
    );
  } finally {
    await client.end();
  }
}
const isBatch = (span: ExportedSpan) => span.name === 'relay.publish_batch';
const isPg = (span: ExportedSpan) =>
  spanAttribute(span, 'db.system') === 'postgresql' || spanAttribute(span, 'db.system.name') === 'postgresql';
const isRedis = (span: ExportedSpan) => spanAttribute(span, 'db.system') === 'redis' || spanAttribute(span, 'db.system.name') === 'redis';
const intAttribute = (span: ExportedSpan, key: string) => Number(span.attributes.find((entry) => entry.key === key)?.value.intValue);

describe('tracing of the relay', () => {
  it('exports nothing while the leader polls an empty outbox, nor for probes and scrapes', async () => {
    await eventually(() => isLeader(relay), 'the relay to lead');
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${relay.url}/ready`)).status).toBe(200);
      expect((await fetch(`${relay.url}/metrics`)).status).toBe(200);
      await relayRounds(5);
    }
    // ~30 polls, a lease, a LISTEN and the session set-up happened by now; the exporter flushes every 100 ms.
    await relayRounds(10);
    expect(collector.spans.map((span) => span.name)).toEqual([]);
  });

  it('exports one trace per published batch, with the PostgreSQL and Redis work as its children and links to the requests', async () => {
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const domain = await createDomain(db.url);
    try {
      for (const n of [1, 2]) {
        await domain.useCases.register.execute(
          { email: uniqueEmail('traced'), password: PASSWORD, firstName: 'Traced', lastName: `Relay${n}` },
          { ...requestContext(`req-traced-${n}`), traceparent: `00-${callerTrace}-b7ad6b716920333${n}-01` },
        );
      }
    } finally {
      await domain.close();
    }

    const batches = await eventually(async () => {
      const found = collector.spans.filter(isBatch);
      return found.length > 0 && found.reduce((sum, span) => sum + intAttribute(span, 'messaging.batch.message_count'), 0) >= 2 && found;
    }, 'the batch spans of both events');
    for (const batch of batches) {
      expect(batch.parentSpanId ?? '').toBe('');
      expect(batch.kind).toBe(4); // producer
      expect(spanAttribute(batch, 'messaging.destination.name')).toBe('user-service:events');
      const children = await collector.spansOf(batch.traceId, (found) => found.some(isPg) && found.some(isRedis));
      const beneath = children.filter((span) => span !== batch);
      expect(beneath.every((span) => span.parentSpanId === batch.spanId)).toBe(true);
      expect(
        beneath
          .filter(isPg)
          .map((span) => span.name)
          .join(' '),
      ).toMatch(/UPDATE/i);
      const links = (batch as ExportedSpan & { links?: Array<{ traceId: string }> }).links ?? [];
      expect(links.length).toBe(intAttribute(batch, 'messaging.batch.message_count'));
      expect(links.every((link) => link.traceId === callerTrace)).toBe(true);
    }

    // Whatever else was exported belongs to one of those batches, or to a round of the mail courier
    // delivering the registrations' verification mails: no stray root traces.
    await relayRounds(10);
    const batchTraces = new Set(batches.map((span) => span.traceId));
    const strays = () => {
      const mailTraces = new Set(collector.spans.filter((span) => span.name === 'mail.deliver_batch').map((span) => span.traceId));
      return collector.spans.filter((span) => !batchTraces.has(span.traceId) && !mailTraces.has(span.traceId)).map((span) => span.name);
    };
    // A mail round's root span is exported when it ends, just after its children: give it the moment.
    await eventually(async () => strays().length === 0, 'every exported span to belong to a batch or a mail round', 5_000).catch(
      () => undefined,
    );
    expect(strays()).toEqual([]);
  }, 60_000);
});
