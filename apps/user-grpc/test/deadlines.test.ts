import { Metadata, status as Status, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { auditLogs, outboxEvents, users } from '@pandora/data-access';
import type { UserServiceClient } from '@pandora/grpc-contract';
import { createLogger } from '@pandora/observability';
import { PassThrough } from 'node:stream';
import { attachRpcContext, type RpcContext } from '../src/grpc/rpc-context';
import { unaryHandler } from '../src/grpc/unary-handler';
import { failure, invoke, seedUser, startTestUserGrpc, WALLET_TOKEN, type TestUserGrpc } from './support/test-user-grpc';

/** Deadlines and cancellations: calls that outlive their caller end cleanly and leave consistent data. */
let grpc: TestUserGrpc;
let client: UserServiceClient;

beforeAll(async () => {
  grpc = await startTestUserGrpc();
  client = grpc.client();
});
afterAll(() => grpc.stop());

/** Holds a row lock on the user (as another transaction would) until `release` is called. */
async function lockUser(userId: string): Promise<{ release(): Promise<void> }> {
  const connection = await grpc.rows.db.pool.connect();
  await connection.query('BEGIN');
  await connection.query('SELECT id FROM users WHERE id = $1::uuid FOR UPDATE', [userId]);
  return {
    async release() {
      await connection.query('COMMIT');
      connection.release();
    },
  };
}

async function eventually(check: () => boolean | Promise<boolean>, withinMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
}

/** True once a query of user-grpc waits for a lock (the in-flight call is inside its transaction). */
async function callIsWaitingForTheLock(): Promise<boolean> {
  const [row] = await grpc.rows.sql<{ waiting: number }>(
    `SELECT count(*)::int AS waiting FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'user-grpc' AND wait_event_type = 'Lock'`,
  );
  return (row?.waiting ?? 0) > 0;
}

function loggedCode(requestId: string): unknown {
  return grpc.logs.find((line) => line.message === 'grpc call' && line.request_id === requestId)?.grpc_code;
}

describe('deadlines and cancellation', () => {
  it('answers DEADLINE_EXCEEDED to a caller whose deadline passes, and the work already started stays consistent', async () => {
    const user = await seedUser(grpc.rows);
    const lock = await lockUser(user.id);
    try {
      // A deadline long enough for a loaded machine to get the call to its transaction first: the
      // case under test is work that has begun when the deadline passes.
      const pending = failure(
        invoke(
          client.updateKycStatus.bind(client),
          { userId: user.id, kycStatus: 'verified', updatedBy: '' },
          { deadlineMs: 4_000, metadata: { 'x-request-id': 'deadline-1' } },
        ),
      );
      await eventually(callIsWaitingForTheLock);
      expect((await pending).code).toBe(Status.DEADLINE_EXCEEDED);
      await eventually(() => loggedCode('deadline-1') === 'DEADLINE_EXCEEDED');
    } finally {
      await lock.release();
    }
    // The change had begun inside its transaction; it commits with its audit row and event, or not at all.
    await eventually(async () => (await grpc.rows.one(users, { id: user.id })).kycStatus === 'verified');
    expect(await grpc.rows.count(auditLogs, { userId: user.id, eventType: 'user.kyc.updated' })).toBe(1);
    expect(await grpc.rows.count(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' })).toBe(1);
    expect(grpc.logs.filter((line) => line.request_id === 'deadline-1' && line.message === 'grpc call')).toHaveLength(1);
  });

  it('survives a caller that cancels an in-flight call, and logs it as CANCELLED', async () => {
    const user = await seedUser(grpc.rows);
    const lock = await lockUser(user.id);
    try {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${WALLET_TOKEN}`);
      metadata.set('x-request-id', 'cancel-1');
      const outcome = new Promise<ServiceError>((resolve) => {
        const call = client.updateKycStatus({ userId: user.id, kycStatus: 'rejected', updatedBy: '' }, metadata, (error) =>
          resolve(error as ServiceError),
        );
        void eventually(callIsWaitingForTheLock).then(() => call.cancel());
      });
      expect((await outcome).code).toBe(Status.CANCELLED);
      await eventually(() => loggedCode('cancel-1') === 'CANCELLED');
    } finally {
      await lock.release();
    }
    const user2 = await seedUser(grpc.rows);
    await expect(invoke(client.getUser.bind(client), { userId: user2.id })).resolves.toBeDefined();
  });
});

describe('the unary handler adapter', () => {
  // A call that reaches its handler after its deadline cannot be staged over a socket (grpc-js
  // computes the deadline on arrival), so the adapter is given such a call directly.
  function callPastItsDeadline(): ServerUnaryCall<unknown, unknown> {
    const metadata = new Metadata();
    const context: RpcContext = {
      method: 'pandora.user.v1.UserService/GetUser',
      requestId: 'late-1',
      traceparent: null,
      log: { request_id: 'late-1' },
      ipAddress: null,
      userAgent: null,
      deadline: Date.now() - 1,
      caller: { name: 'wallet', via: 'token' },
    };
    attachRpcContext(metadata, context);
    return { metadata, request: {}, cancelled: false } as unknown as ServerUnaryCall<unknown, unknown>;
  }

  it('starts no work once the deadline has passed and answers DEADLINE_EXCEEDED', async () => {
    let started = false;
    const handler = unaryHandler(createLogger({ service: 'test', level: 'error', stream: new PassThrough() }), async () => {
      started = true;
      return {};
    });
    const answer = await new Promise<{ code?: number } | null>((resolve) =>
      handler(callPastItsDeadline(), (error) => resolve(error as { code?: number } | null)),
    );
    expect(answer?.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(started).toBe(false);
  });
});
