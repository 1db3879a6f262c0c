import { PassThrough } from 'node:stream';
import { credentials, Metadata, Server, ServerCredentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { UserServiceClient, UserServiceService, type UserServiceServer } from '@pandora/grpc-contract';
import { AppMetrics, createLogger, GrpcServerMetrics } from '@pandora/observability';
import { CallerAuthenticator } from '../src/grpc/caller-authenticator';
import { serverInterceptors } from '../src/grpc/grpc-server';

/**
 * The production interceptor chain in front of raw grpc-js handlers that fail the way a library
 * service or a handler written without unaryHandler would: grpc-js itself then answers UNKNOWN,
 * quoting the error's message. Only the recovery interceptor stands between that and the caller.
 */
const TOKEN = 'recovery-test-token-0123456789abcdef';
const SECRET = 'password authentication failed for user "pandora" at 10.0.0.5:5432';

async function loadCustomerRecord(): Promise<never> {
  throw new Error(SECRET);
}

const failingHandlers: Pick<UserServiceServer, 'getUser' | 'getUserByEmail' | 'validateUser'> = {
  getUser: () => {
    throw new Error(SECRET);
  },
  getUserByEmail: (_call, callback) => {
    loadCustomerRecord().then((record) => callback(null, record), callback);
  },
  validateUser: (_call, callback) => {
    callback(
      Object.assign(new Error(SECRET), { code: Status.INTERNAL, details: `${SECRET}\n    at Socket.onData (pg/lib/connection.js:114:12)` }),
    );
  },
};

let server: Server;
let client: UserServiceClient;
const logs: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
  });
  const logger = createLogger({ service: 'user-grpc', level: 'info', stream });
  server = new Server({
    interceptors: serverInterceptors({
      authenticator: new CallerAuthenticator([{ name: 'wallet', token: TOKEN }], false),
      logger,
      metrics: new GrpcServerMetrics(new AppMetrics('user-grpc').registry),
    }),
  });
  server.addService(UserServiceService, failingHandlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  client = new UserServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

function failedCall(method: 'getUser' | 'getUserByEmail' | 'validateUser'): Promise<ServiceError> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${TOKEN}`);
  metadata.set('x-request-id', `recovery-${method}`);
  const call = client[method].bind(client) as (
    request: object,
    metadata: Metadata,
    callback: (error: ServiceError | null) => void,
  ) => unknown;
  return new Promise((resolve, reject) => {
    call({ userId: 'x', email: 'x@example.com' }, metadata, (error) =>
      error ? resolve(error) : reject(new Error('expected the call to fail')),
    );
  });
}

describe('the recovery interceptor', () => {
  it.each([
    { rpc: 'GetUser', method: 'getUser', failure: 'throws synchronously' },
    { rpc: 'GetUserByEmail', method: 'getUserByEmail', failure: 'passes on a rejected plain Error' },
    { rpc: 'ValidateUser', method: 'validateUser', failure: 'answers INTERNAL quoting an exception and its stack' },
  ] as const)(
    'answers INTERNAL with the generic message when a handler $failure, and logs it with the request id',
    async ({ rpc, method }) => {
      const error = await failedCall(method);

      expect(error.code).toBe(Status.INTERNAL);
      expect(error.details).toBe('An unexpected error occurred.');
      expect(error.metadata.get('error-code')).toEqual(['INTERNAL_ERROR']);
      expect(JSON.stringify({ details: error.details, metadata: error.metadata.getMap() })).not.toMatch(
        /password|10\.0\.0\.5|Unknown error|\bat \S+ \(/,
      );

      const failures = logs.filter(
        (line) =>
          line.message === 'grpc call failed outside the error mapping' && line.grpc_method === `pandora.user.v1.UserService/${rpc}`,
      );
      expect(failures).toEqual([expect.objectContaining({ level: 'error', request_id: `recovery-${method}` })]);
      const callLine = logs.find((line) => line.message === 'grpc call' && line.request_id === `recovery-${method}`);
      expect(callLine).toMatchObject({ grpc_code: 'INTERNAL' });
    },
  );

  it('keeps the cause of a passed-on error in the server log', async () => {
    await failedCall('getUserByEmail');
    const failure = logs.find(
      (line) =>
        line.message === 'grpc call failed outside the error mapping' && line.grpc_method === 'pandora.user.v1.UserService/GetUserByEmail',
    );
    expect(failure).toMatchObject({ grpc_code: 'UNKNOWN', details: SECRET });
  });
});
