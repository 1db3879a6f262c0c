import { Client, credentials, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { fromBinary } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { ServingStatus, type HealthCheckResponse, type HealthClient } from '@pandora/grpc-contract';
import { startTestUserGrpc, WALLET_TOKEN, type TestUserGrpc } from './support/test-user-grpc';

/** grpc.health.v1.Health and server reflection, over real connections. */
let grpc: TestUserGrpc;
let health: HealthClient;

beforeAll(async () => {
  // APP_ENV=test, like every test instance: reflection is off there unless asked for.
  grpc = await startTestUserGrpc({ env: { GRPC_REFLECTION: 'true' } });
  health = grpc.health();
});
afterAll(() => grpc.stop());

function check(service: string): Promise<HealthCheckResponse> {
  return new Promise((resolve, reject) => health.check({ service }, (error, response) => (error ? reject(error) : resolve(response))));
}

describe('health', () => {
  it('reports the server and UserService as SERVING', async () => {
    expect(await check('')).toEqual({ status: ServingStatus.SERVING });
    expect(await check('pandora.user.v1.UserService')).toEqual({ status: ServingStatus.SERVING });
  });

  it('answers NOT_FOUND for a service it does not serve', async () => {
    await expect(check('pandora.wallet.v1.WalletService')).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it('lists every status', async () => {
    const response = await new Promise((resolve, reject) => health.list({}, (error, answer) => (error ? reject(error) : resolve(answer))));
    expect(response).toEqual({
      statuses: { '': { status: ServingStatus.SERVING }, 'pandora.user.v1.UserService': { status: ServingStatus.SERVING } },
    });
  });

  it('streams the current status to a watcher, and SERVICE_UNKNOWN for an unknown service', async () => {
    const first = (service: string) =>
      new Promise<HealthCheckResponse>((resolve, reject) => {
        const stream = health.watch({ service });
        stream.once('data', (message: HealthCheckResponse) => {
          resolve(message);
          stream.cancel();
        });
        stream.once('error', (error: ServiceError) => {
          if (error.code !== Status.CANCELLED) reject(error);
        });
      });
    expect(await first('pandora.user.v1.UserService')).toEqual({ status: ServingStatus.SERVING });
    expect(await first('unknown.Service')).toEqual({ status: ServingStatus.SERVICE_UNKNOWN });
  });
});

/**
 * A minimal grpc.reflection.v1 client: the three messages it needs are encoded by hand
 * (ServerReflectionRequest: host=1, file_containing_symbol=4, list_services=7;
 * ServerReflectionResponse: file_descriptor_response=4, list_services_response=6, error_response=7).
 */
type ReflectionQuery = { listServices: true } | { fileContainingSymbol: string };
interface ReflectionAnswer {
  services: string[];
  files: Uint8Array[];
  errorCode: number | null;
}

function encodeQuery(query: ReflectionQuery): Buffer {
  const writer = new BinaryWriter();
  if ('listServices' in query) writer.tag(7, 2).string('*');
  else writer.tag(4, 2).string(query.fileContainingSymbol);
  return Buffer.from(writer.finish());
}

function decodeAnswer(bytes: Buffer): ReflectionAnswer {
  const answer: ReflectionAnswer = { services: [], files: [], errorCode: null };
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 6 || field === 4 || field === 7) {
      const inner = new BinaryReader(reader.bytes());
      while (inner.pos < inner.len) {
        const [innerField, innerWireType] = inner.tag();
        if (field === 6 && innerField === 1) {
          const service = new BinaryReader(inner.bytes());
          service.tag();
          answer.services.push(service.string());
        } else if (field === 4 && innerField === 1) answer.files.push(inner.bytes());
        else if (field === 7 && innerField === 1) answer.errorCode = inner.int32();
        else inner.skip(innerWireType);
      }
    } else reader.skip(wireType);
  }
  return answer;
}

function reflect(address: string, query: ReflectionQuery, token: string | null): Promise<ReflectionAnswer> {
  const client = new Client(address, credentials.createInsecure());
  const metadata = new Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return new Promise<ReflectionAnswer>((resolve, reject) => {
    const call = client.makeBidiStreamRequest(
      '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      encodeQuery,
      decodeAnswer,
      metadata,
    );
    call.once('data', (answer: ReflectionAnswer) => {
      resolve(answer);
      call.end();
    });
    call.once('error', reject);
    call.write(query);
  }).finally(() => client.close());
}

describe('server reflection', () => {
  it('lists the served services when GRPC_REFLECTION=true', async () => {
    const answer = await reflect(grpc.address, { listServices: true }, WALLET_TOKEN);
    expect(answer.services).toEqual(expect.arrayContaining(['pandora.user.v1.UserService', 'grpc.health.v1.Health']));
  });

  it('serves the descriptor of UserService with its comments and its imports', async () => {
    const answer = await reflect(grpc.address, { fileContainingSymbol: 'pandora.user.v1.UserService' }, WALLET_TOKEN);
    const files = answer.files.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    const userService = files.find((file) => file.name === 'pandora/user/v1/user_service.proto');
    expect(files.map((file) => file.name)).toContain('google/protobuf/timestamp.proto');
    expect(userService?.service[0]?.method.map((method) => method.name)).toEqual([
      'GetUser',
      'GetUserByEmail',
      'UpdateKYCStatus',
      'ValidateUser',
      'ListUsers',
    ]);
    const comments = userService?.sourceCodeInfo?.location.map((location) => location.leadingComments).join('\n');
    expect(comments).toContain('Whether a user id may act');
  });

  it('requires caller credentials like every other service except health', async () => {
    await expect(reflect(grpc.address, { listServices: true }, null)).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
  });

  it.each([
    ['GRPC_REFLECTION=false', { GRPC_REFLECTION: 'false' }],
    ['APP_ENV=test by default (on in dev and sandbox only)', {}],
  ])('is not served with %s', async (_case, env: Record<string, string>) => {
    const withoutReflection = await startTestUserGrpc({ db: grpc.db, env });
    try {
      expect(withoutReflection.service.config.appEnv).toBe('test');
      await expect(reflect(withoutReflection.address, { listServices: true }, WALLET_TOKEN)).rejects.toMatchObject({
        code: Status.UNIMPLEMENTED,
      });
    } finally {
      await withoutReflection.stop();
    }
  });
});
