import { status as Status } from '@grpc/grpc-js';
import { auditLogs, users } from '@pandora/data-access';
import { ServingStatus, type UserServiceClient } from '@pandora/grpc-contract';
import {
  errorCodeOf,
  failure,
  invoke,
  seedUser,
  startTestUserGrpc,
  TRADING_TOKEN,
  WALLET_TOKEN,
  type CallSettings,
  type SeededUser,
  type TestUserGrpc,
} from './support/test-user-grpc';

/** Caller authentication with service tokens (docs/grpc.md#caller-authentication); mTLS has its own suite. */
let grpc: TestUserGrpc;
let client: UserServiceClient;
let user: SeededUser;

beforeAll(async () => {
  grpc = await startTestUserGrpc();
  client = grpc.client();
  user = await seedUser(grpc.rows);
});
afterAll(() => grpc.stop());

const rpcs: Array<[string, (settings: CallSettings) => Promise<unknown>]> = [
  ['GetUser', (settings) => invoke(client.getUser.bind(client), { userId: user.id }, settings)],
  ['GetUserByEmail', (settings) => invoke(client.getUserByEmail.bind(client), { email: user.email }, settings)],
  [
    'UpdateKYCStatus',
    (settings) => invoke(client.updateKycStatus.bind(client), { userId: user.id, kycStatus: 'verified', updatedBy: '' }, settings),
  ],
  ['ValidateUser', (settings) => invoke(client.validateUser.bind(client), { userId: user.id }, settings)],
  ['ListUsers', (settings) => invoke(client.listUsers.bind(client), { limit: 0, offset: 0 }, settings)],
];

describe('caller authentication', () => {
  it.each(rpcs)('refuses %s without a token with UNAUTHENTICATED', async (_name, call) => {
    const error = await failure(call({ token: null }));
    expect(error.code).toBe(Status.UNAUTHENTICATED);
    expect(errorCodeOf(error)).toBe('UNAUTHORIZED');
  });

  it.each(rpcs)('refuses %s with a wrong token with UNAUTHENTICATED', async (_name, call) => {
    const error = await failure(call({ token: `${WALLET_TOKEN}x` }));
    expect(error.code).toBe(Status.UNAUTHENTICATED);
    expect(errorCodeOf(error)).toBe('INVALID_TOKEN');
  });

  it.each([
    ['another scheme', `Basic ${Buffer.from(`wallet:${WALLET_TOKEN}`).toString('base64')}`],
    ['the bare token', WALLET_TOKEN],
    ['an empty bearer', 'Bearer '],
    ['a token with trailing text', `Bearer ${WALLET_TOKEN} extra`],
  ])('refuses an authorization value with %s', async (_label, value) => {
    const error = await failure(
      invoke(client.getUser.bind(client), { userId: user.id }, { token: null, metadata: { authorization: value } }),
    );
    expect(error.code).toBe(Status.UNAUTHENTICATED);
  });

  it('accepts every configured token, with the scheme in any case', async () => {
    await expect(invoke(client.getUser.bind(client), { userId: user.id }, { token: TRADING_TOKEN })).resolves.toBeDefined();
    await expect(
      invoke(client.getUser.bind(client), { userId: user.id }, { token: null, metadata: { authorization: `bearer ${WALLET_TOKEN}` } }),
    ).resolves.toBeDefined();
  });

  it('runs nothing for a refused call: a KYC change with a wrong token changes nothing', async () => {
    const target = await seedUser(grpc.rows);
    await failure(
      invoke(client.updateKycStatus.bind(client), { userId: target.id, kycStatus: 'verified', updatedBy: '' }, { token: 'guess' }),
    );
    expect((await grpc.rows.one(users, { id: target.id })).kycStatus).toBe('pending');
    expect(await grpc.rows.count(auditLogs, { userId: target.id })).toBe(0);
  });

  it('answers health checks without any credential', async () => {
    const health = grpc.health();
    const response = await new Promise((resolve, reject) =>
      health.check({ service: 'pandora.user.v1.UserService' }, (error, answer) => (error ? reject(error) : resolve(answer))),
    );
    expect(response).toEqual({ status: ServingStatus.SERVING });
  });

  it('logs refusals as security events, naming the reason but never the presented token', async () => {
    await failure(
      invoke(
        client.validateUser.bind(client),
        { userId: user.id },
        { token: 'presented-secret-token-value', metadata: { 'x-request-id': 'auth-refused-1' } },
      ),
    );
    const line = grpc.logs.find((entry) => entry.security_event === 'grpc_caller_rejected' && entry.request_id === 'auth-refused-1');
    expect(line).toMatchObject({ reason: 'invalid_token', grpc_method: 'pandora.user.v1.UserService/ValidateUser', peer: '127.0.0.1' });
    expect(grpc.rawLogs()).not.toContain('presented-secret-token-value');
    expect(grpc.rawLogs()).not.toContain(WALLET_TOKEN);
    expect(grpc.rawLogs()).not.toContain(TRADING_TOKEN);
  });
});

describe('without any caller credential configured (dev/test only)', () => {
  it('accepts every caller as anonymous', async () => {
    const open = await startTestUserGrpc({ env: { GRPC_AUTH_TOKENS: '' } });
    try {
      const seeded = await seedUser(open.rows);
      const anonymousClient = open.client();
      await invoke(
        anonymousClient.updateKycStatus.bind(anonymousClient),
        { userId: seeded.id, kycStatus: 'verified', updatedBy: '' },
        { token: null },
      );
      const audit = await open.rows.one(auditLogs, { userId: seeded.id });
      expect(audit).toMatchObject({
        actorType: 'service',
        actorIdentifier: 'anonymous',
        metadata: { caller: 'anonymous', caller_authentication: 'none' },
      });
    } finally {
      await open.stop();
    }
  });
});
