import { status as Status } from '@grpc/grpc-js';
import type { UserServiceClient } from '@pandora/grpc-contract';
import request from 'supertest';
import { errorCodeOf, failure, invoke, seedUser, startTestUserGrpc, type TestUserGrpc } from './support/test-user-grpc';

/** One log line and one metrics sample per call, the HTTP side, and what a fault looks like to a caller. */
let grpc: TestUserGrpc;
let client: UserServiceClient;

beforeAll(async () => {
  grpc = await startTestUserGrpc();
  client = grpc.client();
});
afterAll(() => grpc.stop());

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;

function callLines(requestId: string) {
  return grpc.logs.filter((line) => line.message === 'grpc call' && line.request_id === requestId);
}

describe('request logging', () => {
  it('writes one line per call with method, code, duration, request and trace ids, caller and peer', async () => {
    const user = await seedUser(grpc.rows);
    await invoke(client.getUser.bind(client), { userId: user.id }, { metadata: { 'x-request-id': 'obs-ok', traceparent: TRACEPARENT } });

    expect(callLines('obs-ok')).toEqual([
      expect.objectContaining({
        level: 'info',
        service: 'user-grpc',
        grpc_method: 'pandora.user.v1.UserService/GetUser',
        grpc_code: 'OK',
        duration_ms: expect.any(Number),
        trace_id: TRACE_ID,
        span_id: 'b7ad6b7169203331',
        caller: 'wallet',
        peer: '127.0.0.1',
      }),
    ]);
  });

  it('logs failed and refused calls with their code, once each', async () => {
    await failure(invoke(client.getUser.bind(client), { userId: 'nope' }, { metadata: { 'x-request-id': 'obs-invalid' } }));
    await failure(invoke(client.getUser.bind(client), { userId: 'nope' }, { token: null, metadata: { 'x-request-id': 'obs-refused' } }));
    expect(callLines('obs-invalid')).toEqual([expect.objectContaining({ grpc_code: 'INVALID_ARGUMENT', caller: 'wallet' })]);
    expect(callLines('obs-refused')).toEqual([expect.objectContaining({ grpc_code: 'UNAUTHENTICATED' })]);
    expect(callLines('obs-refused')[0]).not.toHaveProperty('caller');
  });

  it('ignores a malformed traceparent and logs a trace id of its own instead', async () => {
    const user = await seedUser(grpc.rows);
    await invoke(
      client.getUser.bind(client),
      { userId: user.id },
      { metadata: { 'x-request-id': 'obs-bad-trace', traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` } },
    );
    const [line] = callLines('obs-bad-trace');
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(line?.trace_id).not.toBe('0'.repeat(32));
    expect(line).not.toHaveProperty('span_id');
  });

  it('gives every call without a traceparent a fresh trace id on its log line', async () => {
    const user = await seedUser(grpc.rows);
    await invoke(client.getUser.bind(client), { userId: user.id }, { metadata: { 'x-request-id': 'obs-no-trace-1' } });
    await invoke(client.getUser.bind(client), { userId: user.id }, { metadata: { 'x-request-id': 'obs-no-trace-2' } });
    const [first, second] = [callLines('obs-no-trace-1')[0], callLines('obs-no-trace-2')[0]];
    expect(first?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(second?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(first?.trace_id).not.toBe(second?.trace_id);
  });
});

describe('metrics and the HTTP side (METRICS_PORT)', () => {
  it('counts calls by method and code and times them by method', async () => {
    const user = await seedUser(grpc.rows);
    await invoke(client.validateUser.bind(client), { userId: user.id });
    await failure(invoke(client.validateUser.bind(client), { userId: 'x' }));

    const response = await request(grpc.metricsUrl).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.text).toMatch(
      /grpc_server_handled_total\{grpc_method="pandora\.user\.v1\.UserService\/ValidateUser",grpc_code="OK"\} [1-9]/,
    );
    expect(response.text).toMatch(
      /grpc_server_handled_total\{grpc_method="pandora\.user\.v1\.UserService\/ValidateUser",grpc_code="INVALID_ARGUMENT"\} [1-9]/,
    );
    expect(response.text).toMatch(/grpc_server_handling_seconds_count\{grpc_method="pandora\.user\.v1\.UserService\/ValidateUser"\} [2-9]/);
    expect(response.text).toContain('process_cpu_seconds_total');
  });

  it('serves /health and /ready with the database check', async () => {
    expect((await request(grpc.metricsUrl).get('/health')).body).toEqual({ status: 'ok' });
    const ready = await request(grpc.metricsUrl).get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'up' } });
  });
});

describe('faults', () => {
  it('answers INTERNAL with a generic message when the database misbehaves, and logs the cause', async () => {
    const user = await seedUser(grpc.rows);
    await grpc.rows.sql('ALTER TABLE users RENAME TO users_gone');
    try {
      const error = await failure(invoke(client.getUser.bind(client), { userId: user.id }, { metadata: { 'x-request-id': 'obs-fault' } }));
      expect(error.code).toBe(Status.INTERNAL);
      expect(error.details).toBe('An unexpected error occurred.');
      expect(errorCodeOf(error)).toBe('INTERNAL_ERROR');
      expect(JSON.stringify(error.metadata.toJSON())).not.toMatch(/users|relation|prisma/i);
    } finally {
      await grpc.rows.sql('ALTER TABLE users_gone RENAME TO users');
    }
    const logged = grpc.logs.find((line) => line.message === 'grpc call failed' && line.request_id === 'obs-fault');
    expect(JSON.stringify(logged)).toMatch(/users/);
  });

  it('answers UNAVAILABLE when the database cannot be reached, and /ready says so', async () => {
    const unreachable = await startTestUserGrpc({ db: grpc.db, env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/pandora' } });
    try {
      const unreachableClient = unreachable.client();
      const error = await failure(
        invoke(unreachableClient.getUser.bind(unreachableClient), { userId: '3f1e5c9a-6b2d-4c8e-9f7a-1b2c3d4e5f60' }),
      );
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(errorCodeOf(error)).toBe('SERVICE_UNAVAILABLE');
      expect(error.details).not.toContain('127.0.0.1');
      const ready = await request(unreachable.metricsUrl).get('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toEqual({ database: 'down' });
    } finally {
      await unreachable.stop();
    }
  });
});
