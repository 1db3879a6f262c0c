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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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
      await sleep(300);
    }
    // ~30 polls, a lease, a LISTEN and the session set-up happened by now; the exporter flushes every 100 ms.
    await sleep(500);
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

    // Whatever else was exported belongs to one of those batches: no stray root traces.
    await sleep(500);
    const batchTraces = new Set(batches.map((span) => span.traceId));
    expect(collector.spans.filter((span) => !batchTraces.has(span.traceId)).map((span) => span.name)).toEqual([]);
  }, 60_000);
});
