import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrismaClient, type PrismaClient } from '@pandora/data-access';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@pandora/testing';
import request from 'supertest';
import { startUserApiProcess, type AppProcess } from '../support/app-process';
import { STRONG_PASSWORD, uniqueEmail } from '../support/fixtures';

/**
 * Tracing end to end. An OTLP collector cannot run here, so a local HTTP server plays it: it
 * accepts OTLP/HTTP JSON on /v1/traces exactly as a collector does. Everything else is real: the
 * user-api process with the OpenTelemetry SDK, its exporter, PostgreSQL and Redis.
 */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

let collector: http.Server;
let collectorUrl: string;
const spans: ExportedSpan[] = [];
let db: TestDatabase;
let redis: TestRedis;
let prisma: PrismaClient;
let app: AppProcess;

beforeAll(async () => {
  collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: ExportedSpan[] }> }> };
        for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  db = await createTestDatabase();
  redis = await createTestRedis();
  prisma = createPrismaClient({ url: db.url, poolMax: 2, applicationName: 'tracing-tests' });
  app = await startUserApiProcess({
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    RATE_LIMIT_ENABLED: 'true',
    OTEL_ENABLED: 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
}, 60_000);

afterAll(async () => {
  app.child.kill('SIGTERM');
  await app.exit;
  await prisma.$disconnect();
  await redis.cleanup();
  await db.drop();
  await new Promise((resolve) => collector.close(resolve));
});

async function spansOf(traceId: string, until: (found: ExportedSpan[]) => boolean): Promise<ExportedSpan[]> {
  const started = Date.now();
  for (;;) {
    const found = spans.filter((span) => span.traceId === traceId);
    if (until(found)) return found;
    if (Date.now() - started > 15_000) throw new Error(`spans of ${traceId} incomplete: ${found.map((span) => span.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const attribute = (span: ExportedSpan, key: string) => span.attributes.find((entry) => entry.key === key)?.value.stringValue;
const isPg = (span: ExportedSpan) => attribute(span, 'db.system') === 'postgresql' || attribute(span, 'db.system.name') === 'postgresql';
const isRedis = (span: ExportedSpan) => attribute(span, 'db.system') === 'redis' || attribute(span, 'db.system.name') === 'redis';
const isHttpServer = (span: ExportedSpan) => span.kind === 2 && /POST/.test(span.name);
const isPrisma = (span: ExportedSpan) => span.name.startsWith('prisma:');

describe('tracing', () => {
  it('exports one trace for a request spanning HTTP, PostgreSQL, Prisma and Redis, and puts its traceparent in the outbox', async () => {
    const email = uniqueEmail('traced');
    const response = await request(app.publicUrl).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, first_name: 'T', last_name: 'R' });
    expect(response.status).toBe(201);

    const event = await prisma.outboxEvent.findFirstOrThrow({ where: { aggregateId: response.body.user.id, eventType: 'user.registered' } });
    const traceparent = (event.metadata as { traceparent?: string }).traceparent;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = (traceparent as string).split('-')[1] as string;

    const trace = await spansOf(traceId, (found) => found.some(isHttpServer) && found.some(isPg) && found.some(isRedis) && found.some(isPrisma));
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
    const event = await prisma.outboxEvent.findFirstOrThrow({ where: { aggregateId: response.body.user.id } });
    expect((event.metadata as { traceparent: string }).traceparent).toMatch(new RegExp(`^00-${callerTrace}-`));
    await spansOf(callerTrace, (found) => found.some(isHttpServer));
  });

  it('does not trace health probes', async () => {
    await request(app.publicUrl).get('/health').expect(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(spans.filter((span) => span.kind === 2 && /health/.test(span.name))).toEqual([]);
  });
});
