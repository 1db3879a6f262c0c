/**
 * `npm run -s grpc:call -- <Method> ['<json>'] [--address host:port] [--token T]`
 *
 * Calls one RPC of user-grpc with the generated TypeScript client (@pandora/grpc-contract) and
 * prints the answer as JSON: what grpcurl would do, with nothing to install. The request is the
 * message in proto3 JSON (`{"user_id":"…"}` or `{"userId":"…"}`); unknown fields are refused rather
 * than silently dropped. Plaintext only (for TLS and mTLS, use the client in code: README).
 *   --address   default localhost:$GRPC_PORT (9090)
 *   --token     the caller's service token; default USER_GRPC_TOKEN, else the first token of
 *               GRPC_AUTH_TOKENS (the server's own list, e.g. from .env); none when neither is set
 * Exit codes: 0 answer printed, 1 the call failed (status on stderr), 2 usage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  GetUserByEmailRequest,
  GetUserRequest,
  GetUserResponse,
  HealthCheckRequest,
  HealthCheckResponse,
  HealthService,
  ListUsersRequest,
  ListUsersResponse,
  UpdateKYCRequest,
  UpdateKYCResponse,
  UserServiceService,
  ValidateUserRequest,
  ValidateUserResponse,
} from '@pandora/grpc-contract';

const root = path.resolve(__dirname, '../..');
if (fs.existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));

interface Codec<T> {
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
}
interface Rpc<Req, Res> {
  path: string;
  requestSerialize(value: Req): Buffer;
  responseDeserialize(value: Buffer): Res;
}
interface Method {
  rpc: Rpc<unknown, unknown>;
  request: Codec<unknown>;
  response: Codec<unknown>;
  example: string;
}

const method = <Req, Res>(rpc: Rpc<Req, Res>, request: Codec<Req>, response: Codec<Res>, example: string): Method =>
  ({ rpc, request, response, example }) as unknown as Method;

const METHODS: Record<string, Method> = {
  GetUser: method(UserServiceService.getUser, GetUserRequest, GetUserResponse, '{"user_id":"<uuid>"}'),
  GetUserByEmail: method(UserServiceService.getUserByEmail, GetUserByEmailRequest, GetUserResponse, '{"email":"ada@example.com"}'),
  UpdateKYCStatus: method(
    UserServiceService.updateKycStatus,
    UpdateKYCRequest,
    UpdateKYCResponse,
    '{"user_id":"<uuid>","kyc_status":"verified","updated_by":"ops@example.com"}',
  ),
  ValidateUser: method(UserServiceService.validateUser, ValidateUserRequest, ValidateUserResponse, '{"user_id":"<uuid>"}'),
  ListUsers: method(UserServiceService.listUsers, ListUsersRequest, ListUsersResponse, '{"limit":10,"offset":0}'),
  Check: method(HealthService.check, HealthCheckRequest, HealthCheckResponse, '{"service":"pandora.user.v1.UserService"}'),
};

const USAGE = `usage: npm run -s grpc:call -- <Method> ['<json request>'] [--address host:port] [--token T]
methods (pandora.user.v1.UserService, and grpc.health.v1.Health/Check):
${Object.entries(METHODS)
  .map(([name, { example }]) => `  ${name.padEnd(16)} ${example}`)
  .join('\n')}`;

/** Exit 2 with the problem, and the example of the method when there is one (else the whole usage). */
function usage(problem: string, name?: string): never {
  const example = name && METHODS[name] ? `example: npm run -s grpc:call -- ${name} '${METHODS[name].example}'` : USAGE;
  process.stderr.write(`${problem}\n${example}\n`);
  process.exit(2);
}

const camel = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The request message from JSON, refusing fields the message does not have. */
function parseRequest(name: string, codec: Codec<unknown>, text: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    usage(`${name}: the request is not JSON (${(error as Error).message})`, name);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) usage(`${name}: the request must be a JSON object`, name);
  const fields = Object.keys(codec.fromJSON({}) as object);
  const unknown = Object.keys(json).filter((key) => !fields.includes(camel(key)));
  if (unknown.length > 0) usage(`${name}: unknown field(s) ${unknown.join(', ')} (fields: ${fields.map(snake).join(', ')})`, name);
  return codec.fromJSON(json);
}

/**
 * proto3 JSON leaves out fields holding their default value; for a person reading the answer,
 * `"isValid": false` says more than nothing, so top-level defaults are shown.
 */
function withDefaults(codec: Codec<unknown>, answer: unknown): unknown {
  const defaults = codec.fromJSON({}) as Record<string, unknown>;
  const json = codec.toJSON(answer) as Record<string, unknown>;
  const shown: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(defaults)) if (value !== undefined) shown[field] = value;
  return { ...shown, ...json };
}

function callerToken(flag: string | undefined): string | null {
  if (flag) return flag;
  if (process.env.USER_GRPC_TOKEN) return process.env.USER_GRPC_TOKEN;
  const first = process.env.GRPC_AUTH_TOKENS?.split(',')[0]?.trim();
  if (!first) return null;
  // `name:token` or a bare token.
  return first.includes(':') ? first.slice(first.indexOf(':') + 1) : first;
}

function main(): void {
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        options: { address: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      return usage((error as Error).message);
    }
  })();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [name, body = '{}', ...extra] = positionals;
  if (!name) usage('name the method to call');
  if (extra.length > 0) usage(`unexpected argument(s): ${extra.join(' ')} (quote the JSON request)`);
  const target = METHODS[name];
  if (!target) usage(`unknown method ${name}`);
  const request = parseRequest(name, target.request, body);

  const address = values.address ?? `localhost:${process.env.GRPC_PORT || '9090'}`;
  const metadata = new Metadata();
  const token = callerToken(values.token);
  if (token) metadata.set('authorization', `Bearer ${token}`);
  const client = new Client(address, credentials.createInsecure());
  client.makeUnaryRequest(
    target.rpc.path,
    (value: unknown) => target.rpc.requestSerialize(value),
    (buffer: Buffer) => target.rpc.responseDeserialize(buffer),
    request,
    metadata,
    { deadline: Date.now() + 5_000 },
    (error: ServiceError | null, answer?: unknown) => {
      client.close();
      if (error) {
        const serviceCode = error.metadata?.get('error-code')[0];
        const hint = error.code === status.UNAVAILABLE ? ` (is user-grpc listening on ${address}? npm start runs it)` : '';
        process.stderr.write(
          `${status[error.code] ?? error.code}: ${error.details}${serviceCode ? ` [error-code ${String(serviceCode)}]` : ''}${hint}\n`,
        );
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${JSON.stringify(withDefaults(target.response, answer), null, 2)}\n`);
    },
  );
}

main();
