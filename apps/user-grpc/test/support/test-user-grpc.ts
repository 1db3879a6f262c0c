import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  credentials,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { buildUserGrpcConfig } from '@pandora/config';
import { users } from '@pandora/data-access';
import { TableRows } from '@pandora/data-access/testing';
import type { KycStatus } from '@pandora/domain';
import { HealthClient, UserServiceClient } from '@pandora/grpc-contract';
import { createLogger } from '@pandora/observability';
import { createTestDatabase, type TestDatabase } from '@pandora/testing';
import { createUserGrpc, type UserGrpc } from '../../src/composition-root';

export const WALLET_TOKEN = 'wallet-token-0123456789abcdef0123456789abcdef';
export const TRADING_TOKEN = 'trading-token-0123456789abcdef0123456789abcde';
export const TEST_AUTH_TOKENS = `wallet:${WALLET_TOKEN},trading-engine:${TRADING_TOKEN}`;

export interface TestUserGrpc {
  service: UserGrpc;
  address: string;
  metricsUrl: string;
  /** Reads and seeds rows directly (typed by the table definitions). */
  rows: TableRows;
  db: TestDatabase;
  logs: Array<Record<string, unknown>>;
  rawLogs: () => string;
  /** A generated UserService client (plaintext unless `channel` says otherwise). */
  client(channel?: ChannelCredentials, options?: ChannelOptions): UserServiceClient;
  health(channel?: ChannelCredentials, options?: ChannelOptions): HealthClient;
  stop(): Promise<void>;
}

export interface TestUserGrpcOptions {
  env?: Record<string, string>;
  /** Use an existing database instead of a fresh one (e.g. a second instance). */
  db?: TestDatabase;
}

/** A real user-grpc (gRPC + metrics listeners on ephemeral ports) against its own fresh database. */
export async function startTestUserGrpc(options: TestUserGrpcOptions = {}): Promise<TestUserGrpc> {
  const db = options.db ?? (await createTestDatabase());
  const config = buildUserGrpcConfig({
    APP_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '5',
    GRPC_PORT: '0',
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    GRPC_AUTH_TOKENS: TEST_AUTH_TOKENS,
    SHUTDOWN_TIMEOUT: '5s',
    ...options.env,
  });
  const stream = new PassThrough();
  let raw = '';
  const logs: Array<Record<string, unknown>> = [];
  stream.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
    for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
  });
  const service = createUserGrpc(config, { logger: createLogger({ service: 'user-grpc', level: config.logLevel, stream }) });
  const { grpcPort, metricsPort } = await service.start();
  const address = `127.0.0.1:${grpcPort}`;
  const rows = new TableRows(db.url, 'user-grpc-tests');
  const clients: Array<{ close(): void }> = [];
  const track = <T extends { close(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };
  return {
    service,
    address,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    rows,
    db,
    logs,
    rawLogs: () => raw,
    client: (channel = credentials.createInsecure(), channelOptions = {}) => track(new UserServiceClient(address, channel, channelOptions)),
    health: (channel = credentials.createInsecure(), channelOptions = {}) => track(new HealthClient(address, channel, channelOptions)),
    async stop() {
      for (const client of clients) client.close();
      await service.shutdown();
      await rows.close();
      if (!options.db) await db.drop();
    },
  };
}

export interface CallSettings {
  /** Bearer token to send; null sends no authorization metadata. Default: the wallet's token. */
  token?: string | null;
  metadata?: Record<string, string>;
  deadlineMs?: number;
}

type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Response) => void,
) => ClientUnaryCall;

export interface CallResult<Response> {
  response: Response;
  /** Response headers (x-request-id). */
  headers: Metadata;
}

/** Calls a generated client method and resolves with the response (rejects with the ServiceError). */
export function invoke<Request, Response>(
  method: UnaryMethod<Request, Response>,
  request: Request,
  settings: CallSettings = {},
): Promise<CallResult<Response>> {
  const metadata = new Metadata();
  const token = settings.token === undefined ? WALLET_TOKEN : settings.token;
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  for (const [key, value] of Object.entries(settings.metadata ?? {})) metadata.set(key, value);
  const options: Partial<CallOptions> = settings.deadlineMs === undefined ? {} : { deadline: Date.now() + settings.deadlineMs };
  return new Promise((resolve, reject) => {
    let headers = new Metadata();
    const call = method(request, metadata, options, (error, response) => (error ? reject(error) : resolve({ response, headers })));
    call.on('metadata', (received: Metadata) => {
      headers = received;
    });
  });
}

/** Resolves with the ServiceError of a call that must fail. */
export async function failure(pending: Promise<unknown>): Promise<ServiceError> {
  try {
    await pending;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}

export function errorCodeOf(error: ServiceError): string | undefined {
  const [value] = error.metadata?.get('error-code') ?? [];
  return typeof value === 'string' ? value : undefined;
}

export interface SeededUser {
  id: string;
  email: string;
}

/** Inserts a user row directly (user-grpc has no registration; the password hash is a placeholder). */
export async function seedUser(
  rows: TableRows,
  overrides: Partial<{ email: string; kycStatus: KycStatus; deletedAt: Date; createdAt: Date; firstName: string; lastName: string }> = {},
): Promise<SeededUser> {
  const id = randomUUID();
  const email = overrides.email ?? `user.${id.slice(0, 8)}@example.com`;
  await rows.insert(users, {
    id,
    email,
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2VlZGVkLXVzZXI$placeholderplaceholderplaceholder',
    firstName: overrides.firstName ?? 'Ada',
    lastName: overrides.lastName ?? 'Lovelace',
    kycStatus: overrides.kycStatus ?? 'pending',
    ...(overrides.deletedAt ? { deletedAt: overrides.deletedAt } : {}),
    ...(overrides.createdAt ? { createdAt: overrides.createdAt, updatedAt: overrides.createdAt } : {}),
  });
  return { id, email };
}
