import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { APP_ENV_DEFAULTS, isDeployedEnv, type AppEnv } from './app-env';
import type { Env } from './connection-urls';
import { durationSchema } from './duration';
import { auditRetentionDaysField, boolField, portField } from './env-fields';
import { grpcTransportFinding } from './production-transport';
import { parseEnvironment, readCacheTtlField, type SharedConfig } from './shared-config';
import { withVaultSecrets } from './vault';

/** One accepted service token and the name its caller is logged and audited under. */
export interface GrpcCallerToken {
  name: string;
  token: string;
}

/** PEM material for the gRPC listener, read and checked at start-up. */
export interface GrpcTlsConfig {
  certChain: Buffer;
  privateKey: Buffer;
  /** CA bundle for client certificates. When set, every connection must present one it signed (mTLS). */
  clientCa: Buffer | null;
}

export interface UserGrpcConfig extends Omit<SharedConfig, 'redis'> {
  service: 'user-grpc';
  grpc: {
    host: string;
    port: number;
    /** Server reflection (for grpcurl and friends): on by default in dev/sandbox only, refused in audit/prod. */
    reflection: boolean;
    shutdownTimeoutMs: number;
    /** Accepted bearer tokens; empty: no token checking (then mTLS, or dev/test without credentials). */
    authTokens: GrpcCallerToken[];
    /** null: plaintext (h2c), e.g. behind a service mesh that terminates mTLS. */
    tls: GrpcTlsConfig | null;
  };
  metrics: { port: number };
  /** READ_CACHE_TTL (docs/caching.md). */
  readCache: { ttlMs: number };
  audit: { retentionDays: number };
  /** Names (never values) of the variables that came from Vault. */
  vaultKeys: string[];
}

/** Tokens outside dev/test are at least this long: 32 random characters are beyond guessing. */
const DEPLOYED_MIN_TOKEN_LENGTH = 32;
const NAMED_ENTRY = /^([A-Za-z0-9][A-Za-z0-9._-]{0,62}):(.+)$/;
/** Printable ASCII without space and comma (the list separator). */
const TOKEN_CHARACTERS = /^[\x21-\x2B\x2D-\x7E]+$/;

/**
 * GRPC_AUTH_TOKENS: comma-separated entries, each `name:token` (the name appears in logs and audit
 * rows, e.g. `wallet:3q2…`) or a bare `token` (named `token-<first 8 hex of its SHA-256>`).
 * A token containing ':' must therefore be given a name. Values are never echoed in errors.
 */
function callerTokensField() {
  return z
    .string()
    .optional()
    .transform((value, ctx): GrpcCallerToken[] => {
      const entries = (value ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0);
      const tokens: GrpcCallerToken[] = [];
      entries.forEach((entry, index) => {
        const named = NAMED_ENTRY.exec(entry);
        const token = named ? (named[2] as string) : entry;
        const name = named ? (named[1] as string) : `token-${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;
        if (!TOKEN_CHARACTERS.test(token)) {
          ctx.addIssue({
            code: 'custom',
            message: `entry ${index + 1}: a token may contain printable ASCII only, without spaces or commas`,
          });
        }
        tokens.push({ name, token });
      });
      const names = tokens.map((entry) => entry.name);
      if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: 'caller names must be unique' });
      if (new Set(tokens.map((entry) => entry.token)).size !== tokens.length)
        ctx.addIssue({ code: 'custom', message: 'tokens must be unique' });
      return tokens;
    });
}

type PemKind = 'certificate' | 'private key';

/** A path to a PEM file, read and parsed at start-up so a bad file stops the process with its name. */
function pemFileField(kind: PemKind) {
  return z
    .string()
    .optional()
    .transform((path, ctx): Buffer | null => {
      if (path === undefined) return null;
      let pem: Buffer;
      try {
        pem = fs.readFileSync(path);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'}; got "${path}")`,
        });
        return z.NEVER;
      }
      try {
        if (kind === 'certificate') new X509Certificate(pem);
        else createPrivateKey(pem);
      } catch {
        ctx.addIssue({ code: 'custom', message: `the file holds no PEM ${kind} (got "${path}")` });
        return z.NEVER;
      }
      return pem;
    });
}

const userGrpcSchema = {
  HOST: z.string().default('0.0.0.0'),
  GRPC_PORT: portField(9090),
  METRICS_PORT: portField(9464),
  SHUTDOWN_TIMEOUT: durationSchema('10s', { max: '5m' }),
  READ_CACHE_TTL: readCacheTtlField(),
  GRPC_REFLECTION: z.string().optional(),
  GRPC_AUTH_TOKENS: callerTokensField(),
  GRPC_TLS_CERT_FILE: pemFileField('certificate'),
  GRPC_TLS_KEY_FILE: pemFileField('private key'),
  GRPC_TLS_CLIENT_CA_FILE: pemFileField('certificate'),
  AUDIT_RETENTION_DAYS: auditRetentionDaysField(),
};

type UserGrpcEnv = z.infer<z.ZodObject<typeof userGrpcSchema>>;

function reflectionSetting(env: UserGrpcEnv, appEnv: AppEnv): { value: boolean } | { problem: string } {
  if (env.GRPC_REFLECTION === undefined) return { value: APP_ENV_DEFAULTS[appEnv].grpcReflection };
  const parsed = boolField(false).safeParse(env.GRPC_REFLECTION);
  if (!parsed.success) return { problem: `GRPC_REFLECTION: expected true or false (got "${env.GRPC_REFLECTION}")` };
  // A deployed environment without reflection by default (audit, prod) must never expose it;
  // `test` may switch it on for the tests of reflection itself.
  if (parsed.data && !APP_ENV_DEFAULTS[appEnv].grpcReflection && isDeployedEnv(appEnv)) {
    return { problem: `GRPC_REFLECTION: reflection is not allowed when APP_ENV=${appEnv} (it exposes the whole API surface)` };
  }
  return { value: parsed.data };
}

function crossFieldProblems(env: UserGrpcEnv, appEnv: AppEnv): string[] {
  const problems: string[] = [];
  const reflection = reflectionSetting(env, appEnv);
  if ('problem' in reflection) problems.push(reflection.problem);
  if (env.GRPC_PORT !== 0 && env.GRPC_PORT === env.METRICS_PORT) problems.push('METRICS_PORT: must differ from GRPC_PORT');

  const { GRPC_TLS_CERT_FILE: cert, GRPC_TLS_KEY_FILE: key, GRPC_TLS_CLIENT_CA_FILE: clientCa } = env;
  if ((cert === null) !== (key === null)) problems.push('GRPC_TLS_CERT_FILE / GRPC_TLS_KEY_FILE: set both or neither');
  if (clientCa !== null && (cert === null || key === null)) {
    problems.push('GRPC_TLS_CLIENT_CA_FILE: mTLS also needs the server certificate (GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE)');
  }
  if (cert !== null && key !== null && !new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) {
    problems.push('GRPC_TLS_KEY_FILE: the private key does not belong to the certificate in GRPC_TLS_CERT_FILE');
  }

  if (isDeployedEnv(appEnv)) {
    if (env.GRPC_AUTH_TOKENS.length === 0 && clientCa === null) {
      problems.push(
        `GRPC_AUTH_TOKENS: callers must authenticate when APP_ENV=${appEnv}: set service tokens, or GRPC_TLS_CLIENT_CA_FILE for mTLS (neither is set)`,
      );
    }
    if (env.GRPC_AUTH_TOKENS.some((entry) => entry.token.length < DEPLOYED_MIN_TOKEN_LENGTH)) {
      problems.push(`GRPC_AUTH_TOKENS: every token must be at least ${DEPLOYED_MIN_TOKEN_LENGTH} characters when APP_ENV=${appEnv}`);
    }
  }
  return problems;
}

/** Validates the environment of user-grpc. Synchronous: Vault values must already be merged in. */
export function buildUserGrpcConfig(rawEnv: Env, vaultKeys: string[] = []): UserGrpcConfig {
  const shared = parseEnvironment('user-grpc', rawEnv, userGrpcSchema, crossFieldProblems, [], {
    usesRedis: false,
    transport: (env) => [
      grpcTransportFinding('GRPC_TLS_CERT_FILE', {
        tokensConfigured: env.GRPC_AUTH_TOKENS.length > 0,
        tlsConfigured: env.GRPC_TLS_CERT_FILE !== null && env.GRPC_TLS_KEY_FILE !== null,
      }),
    ],
  });
  const { env } = shared;
  const reflection = reflectionSetting(env, shared.appEnv) as { value: boolean };
  const { GRPC_TLS_CERT_FILE: certChain, GRPC_TLS_KEY_FILE: privateKey, GRPC_TLS_CLIENT_CA_FILE: clientCa } = env;
  return {
    service: 'user-grpc',
    appEnv: shared.appEnv,
    logLevel: shared.logLevel,
    database: shared.database,
    waivedTransportRules: shared.waivedTransportRules,
    grpc: {
      host: env.HOST,
      port: env.GRPC_PORT,
      reflection: reflection.value,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT,
      authTokens: env.GRPC_AUTH_TOKENS,
      tls: certChain !== null && privateKey !== null ? { certChain, privateKey, clientCa } : null,
    },
    metrics: { port: env.METRICS_PORT },
    readCache: { ttlMs: env.READ_CACHE_TTL },
    audit: { retentionDays: env.AUDIT_RETENTION_DAYS ?? APP_ENV_DEFAULTS[shared.appEnv].auditRetentionDays },
    vaultKeys,
  };
}

/** Reads Vault when enabled (GRPC_AUTH_TOKENS may live there), then validates. */
export async function loadUserGrpcConfig(rawEnv: Env = process.env, fetchImpl: typeof fetch = fetch): Promise<UserGrpcConfig> {
  const { env, vaultKeys } = await withVaultSecrets(rawEnv, fetchImpl);
  return buildUserGrpcConfig(env, vaultKeys);
}
