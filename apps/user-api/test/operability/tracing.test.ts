import { outboxEvents } from '@pandora/data-access';
import { TableRows } from '@pandora/data-access/testing';
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
import request from 'supertest';
import { startUserApiProcess, type AppProcess } from '../support/app-process';
import { STRONG_PASSWORD, uniqueEmail } from '../support/fixtures';

/**
 * Tracing end to end: the user-api process with the OpenTelemetry SDK and its OTLP exporter,
 * PostgreSQL and Redis are real; only the collector is played by the test (see FakeOtlpCollector).
 */
let collector: FakeOtlpCollector;
let db: TestDatabase;
let redis: TestRedis;
let rows: TableRows;
let app: AppProcess;

beforeAll(async () => {
  collector = await startFakeOtlpCollector();
  db = await createTestDatabase();
  redis = await createTestRedis();
  rows = new TableRows(db.url, 'tracing-tests');
  app = await startUserApiProcess(
    {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      RATE_LIMIT_ENABLED: 'true',
      OTEL_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
    { waitForReady: true },
  );
}, 60_000);

afterAll(async () => {
  app.child.kill('SIGTERM');
  await app.exit;
  await rows.close();
  await redis.cleanup();
  await db.drop();
  await collector.close();
});

const isPg = (span: ExportedSpan) =>
  spanAttribute(span, 'db.system') === 'postgresql' || spanAttribute(span, 'db.system.name') === 'postgresql';
const isRedis = (span: ExportedSpan) => spanAttribute(span, 'db.system') === 'redis' || spanAttribute(span, 'db.system.name') === 'redis';
const isHttpServer = (span: ExportedSpan) => span.kind === 2 && /POST/.test(span.name);

describe('tracing', () => {
  it('exports one trace for a request spanning HTTP, PostgreSQL (every statement of its transaction) and Redis, and puts its traceparent in the outbox', async () => {
    const email = uniqueEmail('traced');
    const response = await request(app.publicUrl)
      .post('/api/v1/auth/register')
      .send({ email, password: STRONG_PASSWORD, first_name: 'T', last_name: 'R' });
    expect(response.status).toBe(201);

    const event = await rows.one(outboxEvents, { aggregateId: response.body.user.id, eventType: 'user.registered' });
    const traceparent = (event.metadata as { traceparent?: string }).traceparent;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = (traceparent as string).split('-')[1] as string;

    const trace = await collector.spansOf(
      traceId,
      // BEGIN, the user, the session, the audit row, the outbox row, COMMIT: one span each.
      (found) => found.some(isHttpServer) && found.filter(isPg).length >= 5 && found.some(isRedis),
    );
    expect(trace.find(isHttpServer)?.name).toContain('/api/v1/auth/register');

    const lines = app.logs().filter((line) => line.request_id === response.headers['x-request-id']);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.trace_id).toBe(traceId);
  });

  it("continues the caller's trace from its traceparent header", async () => {
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await request(app.publicUrl)
      .post('/api/v1/auth/register')
      .set('traceparent', `00-${callerTrace}-00f067aa0ba902b7-01`)
      .send({ email: uniqueEmail('continued'), password: STRONG_PASSWORD, first_name: 'C', last_name: 'T' });
    expect(response.status).toBe(201);
    const event = await rows.one(outboxEvents, { aggregateId: response.body.user.id });
    expect((event.metadata as { traceparent: string }).traceparent).toMatch(new RegExp(`^00-${callerTrace}-`));
    await collector.spansOf(callerTrace, (found) => found.some(isHttpServer));
  });

  it('keeps the one-time token of a link page out of the trace', async () => {
    const traceId = 'b4ce929d0e0e47364bf92f3577b34da7';
    const token = 'q3Jx9kX0cM1W7yZs5p2uVvA8bT4nR6eLfGhIjKlMnOo';
    await request(app.publicUrl).get(`/verify-email?token=${token}`).set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`).expect(200);
    const spans = await collector.spansOf(traceId, (found) => found.some((span) => span.kind === 2));
    expect(JSON.stringify(spans)).not.toContain(token);
  });

  it('does not trace health probes', async () => {
    await request(app.publicUrl).get('/health').expect(200);
    // A traced request after it: once its span has arrived, a span of the probe (ended before it,
    // and exported in the order spans end) would have arrived too.
    const after = 'a3ce929d0e0e47364bf92f3577b34da6';
    await request(app.publicUrl).get('/.well-known/jwks.json').set('traceparent', `00-${after}-00f067aa0ba902b7-01`).expect(200);
    await collector.spansOf(after, (found) => found.some((span) => span.kind === 2));
    expect(collector.spans.filter((span) => span.kind === 2 && /health/.test(span.name))).toEqual([]);
  });
});
