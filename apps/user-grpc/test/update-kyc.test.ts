import { status as Status } from '@grpc/grpc-js';
import { auditLogs, outboxEvents, users } from '@pandora/data-access';
import type { KycStatus } from '@pandora/domain';
import type { UserServiceClient } from '@pandora/grpc-contract';
import { errorCodeOf, failure, invoke, seedUser, startTestUserGrpc, TRADING_TOKEN, type TestUserGrpc } from './support/test-user-grpc';

/** UpdateKYCStatus: the service rules of docs/accounts.md#kyc-status, and the audit row and outbox event of the REST path. */
let grpc: TestUserGrpc;
let client: UserServiceClient;

beforeAll(async () => {
  grpc = await startTestUserGrpc();
  client = grpc.client();
});
afterAll(() => grpc.stop());

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

async function recordsOf(userId: string) {
  const [audit, events] = await Promise.all([
    grpc.rows.find(auditLogs, { userId, eventType: 'user.kyc.updated' }, { orderBy: 'createdAt' }),
    grpc.rows.find(outboxEvents, { aggregateId: userId, eventType: 'user.kyc.updated' }, { orderBy: 'seq' }),
  ]);
  return { audit, events };
}

describe('UpdateKYCStatus', () => {
  it('moves pending to verified and writes the audit row and the user.kyc.updated event, naming the service', async () => {
    const user = await seedUser(grpc.rows);

    const { response } = await invoke(
      client.updateKycStatus.bind(client),
      { userId: user.id, kycStatus: 'verified', updatedBy: 'compliance-workflow-17' },
      { metadata: { 'x-request-id': 'kyc-req-1', traceparent: TRACEPARENT } },
    );

    expect(response.user).toMatchObject({ id: user.id, kycStatus: 'verified' });
    expect((await grpc.rows.one(users, { id: user.id })).kycStatus).toBe('verified');
    const { audit, events } = await recordsOf(user.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      eventCategory: 'kyc',
      action: 'update_kyc_status',
      actorType: 'service',
      // The authenticated service is the actor; what it says about who decided is information only.
      actorIdentifier: 'wallet',
      resourceType: 'user',
      resourceId: user.id,
      requestId: 'kyc-req-1',
      ipAddress: '127.0.0.1',
      userAgent: expect.stringContaining('grpc-node-js/'),
      previousState: { kyc_status: 'pending' },
      newState: { kyc_status: 'verified' },
      metadata: { rules: 'service', caller: 'wallet', caller_authentication: 'token', updated_by: 'compliance-workflow-17' },
      status: 'success',
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      payload: { email: user.email, kyc_status: 'verified', old_status: 'pending' },
      metadata: { actor_type: 'service', request_id: 'kyc-req-1', traceparent: TRACEPARENT, ip_address: '127.0.0.1' },
      publishedAt: null,
    });
    expect(events[0]?.metadata).not.toHaveProperty('actor_id');
  });

  it('records the authenticated caller as the actor when updated_by is empty', async () => {
    const user = await seedUser(grpc.rows);
    await invoke(client.updateKycStatus.bind(client), { userId: user.id, kycStatus: 'rejected', updatedBy: '' }, { token: TRADING_TOKEN });
    const { audit } = await recordsOf(user.id);
    expect(audit[0]).toMatchObject({ actorType: 'service', actorIdentifier: 'trading-engine', metadata: { caller: 'trading-engine' } });
  });

  it.each<[KycStatus, KycStatus]>([
    ['pending', 'rejected'],
    ['verified', 'rejected'],
  ])('allows %s → %s', async (from, to) => {
    const user = await seedUser(grpc.rows, { kycStatus: from });
    const { response } = await invoke(client.updateKycStatus.bind(client), { userId: user.id, kycStatus: to, updatedBy: '' });
    expect(response.user?.kycStatus).toBe(to);
    expect((await recordsOf(user.id)).events.map((event) => event.payload)).toEqual([
      { email: user.email, kyc_status: to, old_status: from },
    ]);
  });

  it.each<[KycStatus, KycStatus]>([
    ['rejected', 'pending'],
    ['verified', 'pending'],
    ['rejected', 'verified'],
  ])('refuses %s → %s with FAILED_PRECONDITION and records nothing', async (from, to) => {
    const user = await seedUser(grpc.rows, { kycStatus: from });
    const error = await failure(invoke(client.updateKycStatus.bind(client), { userId: user.id, kycStatus: to, updatedBy: '' }));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(errorCodeOf(error)).toBe('INVALID_KYC_TRANSITION');
    expect(error.details).toContain(`from ${from} to ${to}`);
    expect((await grpc.rows.one(users, { id: user.id })).kycStatus).toBe(from);
    expect(await recordsOf(user.id)).toEqual({ audit: [], events: [] });
  });

  it('answers the unchanged user for the current status, without an audit row or event', async () => {
    const user = await seedUser(grpc.rows, { kycStatus: 'verified' });
    const { response } = await invoke(client.updateKycStatus.bind(client), { userId: user.id, kycStatus: 'verified', updatedBy: '' });
    expect(response.user?.kycStatus).toBe('verified');
    expect(await recordsOf(user.id)).toEqual({ audit: [], events: [] });
  });

  it.each(['approved', 'VERIFIED', '', 'pending\u0000'])('answers INVALID_ARGUMENT for the kyc_status %j', async (kycStatus) => {
    const user = await seedUser(grpc.rows);
    const error = await failure(invoke(client.updateKycStatus.bind(client), { userId: user.id, kycStatus, updatedBy: '' }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('kyc_status: must be one of pending, verified, rejected');
  });

  it.each([
    ['longer than 255 characters', 'x'.repeat(256)],
    ['holding a control character', 'ops\u001b[31m@example.com'],
  ])('answers INVALID_ARGUMENT for an updated_by %s', async (_label, updatedBy) => {
    const user = await seedUser(grpc.rows);
    const error = await failure(invoke(client.updateKycStatus.bind(client), { userId: user.id, kycStatus: 'verified', updatedBy }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('updated_by');
  });

  it('answers INVALID_ARGUMENT for a user_id that is not a UUID', async () => {
    const error = await failure(invoke(client.updateKycStatus.bind(client), { userId: 'abc', kycStatus: 'verified', updatedBy: '' }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });

  it('answers NOT_FOUND for an unknown or deleted user', async () => {
    const deleted = await seedUser(grpc.rows, { deletedAt: new Date() });
    for (const userId of [deleted.id, 'b0a3f0a6-2d4e-4a5e-8a7b-9c8d7e6f5a4b']) {
      const error = await failure(invoke(client.updateKycStatus.bind(client), { userId, kycStatus: 'verified', updatedBy: '' }));
      expect(error.code).toBe(Status.NOT_FOUND);
    }
    expect(await recordsOf(deleted.id)).toEqual({ audit: [], events: [] });
  });
});
