import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { outboxEvents } from '@pandora/data-access';
import { TableRows } from '@pandora/data-access/testing';
import { UserServiceClient, type UpdateKYCResponse } from '@pandora/grpc-contract';
import {
  createTestDatabase,
  freePort,
  spanAttribute,
  startFakeOtlpCollector,
  WORKSPACE_ROOT,
  type FakeOtlpCollector,
  type TestDatabase,
} from '@pandora/testing';
import { seedUser, TEST_AUTH_TOKENS, WALLET_TOKEN } from './support/test-user-grpc';

/**
 * Tracing of the real user-grpc process: a gRPC server span and its PostgreSQL spans in one trace
 * that continues the caller's, and that trace's traceparent in the outbox event. Only the OTLP
 * collector is played by the test.
 */
let collector: FakeOtlpCollector;
let db: TestDatabase;
let rows: TableRows;
beforeAll(async () => {
  collector = await startFakeOtlpCollector();
  db = await createTestDatabase();
  rows = new TableRows(db.url, 'user-grpc-tracing-test');
});
afterAll(async () => {
  await rows.close();
  await db.drop();
  await collector.close();
});

describe('user-grpc tracing', () => {
  it("continues the caller's trace through the gRPC server span into PostgreSQL and the outbox", async () => {
    const [grpcPort, metricsPort] = [await freePort(), await freePort()];
    const user = await seedUser(rows);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(WORKSPACE_ROOT, 'apps/user-grpc/src/main.ts')], {
      cwd: WORKSPACE_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        APP_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: db.url,
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: String(metricsPort),
        HOST: '127.0.0.1',
        GRPC_AUTH_TOKENS: TEST_AUTH_TOKENS,
        OTEL_ENABLED: 'true',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const client = new UserServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    try {
      const callerTrace = '0af7651916cd43dd8448eb211c80319c';
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${WALLET_TOKEN}`);
      metadata.set('traceparent', `00-${callerTrace}-b7ad6b7169203331-01`);
      const started = Date.now();
      let answer: UpdateKYCResponse | undefined;
      while (!answer) {
        answer = await new Promise<UpdateKYCResponse | undefined>((resolve) =>
          client.updateKycStatus(
            { userId: user.id, kycStatus: 'verified', updatedBy: 'compliance-bot' },
            metadata,
            { deadline: Date.now() + 2000 },
            (error, response) => resolve(error ? undefined : response),
          ),
        );
        if (!answer && Date.now() - started > 30_000) throw new Error(`user-grpc did not answer:\n${output}`);
        if (!answer) await new Promise((resolve) => setTimeout(resolve, 200)); // poll step of a wait with a deadline, not a sleep the test depends on
      }
      expect(answer.user?.kycStatus).toBe('verified');

      const event = await rows.one(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' });
      expect((event.metadata as { traceparent?: string }).traceparent).toMatch(new RegExp(`^00-${callerTrace}-[0-9a-f]{16}-01$`));
      const spans = await collector.spansOf(
        callerTrace,
        (found) =>
          found.some((span) => span.kind === 2 && /UpdateKYCStatus/.test(span.name)) &&
          found.some((span) => spanAttribute(span, 'db.system') === 'postgresql' || spanAttribute(span, 'db.system.name') === 'postgresql'),
      );
      expect(spans.find((span) => span.kind === 2)?.name).toContain('pandora.user.v1.UserService/UpdateKYCStatus');
      const callLine = output.split('\n').find((line) => line.includes('"grpc_method"') && line.includes('UpdateKYCStatus'));
      expect(callLine).toContain(`"trace_id":"${callerTrace}"`);
    } finally {
      client.close();
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }, 60_000);
});
