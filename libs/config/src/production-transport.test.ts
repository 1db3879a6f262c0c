import { createTestPki, type TestCertificate, type TestPki } from '@pandora/testing';
import { buildAuditCleanupWorkerConfig } from './audit-cleanup-worker.config';
import { ConfigError } from './config-error';
import { buildEventRelayConfig } from './event-relay.config';
import {
  databaseTransportFinding,
  grpcTransportFinding,
  judgeProductionTransport,
  logWaivedTransportRules,
  rateLimitFinding,
  redisConnectionOfUrl,
  redisTransportFinding,
} from './production-transport';
import { buildUserApiConfig } from './user-api.config';
import { buildUserGrpcConfig } from './user-grpc.config';

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const SECURE_DATABASE = 'postgresql://app:pw@db.internal:5432/pandora?sslmode=verify-full';
const SECURE_REDIS = 'rediss://:pw@cache.internal:6380/0';
const TOKEN = `wallet:${'t'.repeat(40)}`;
const userApiSecrets = {
  JWT_SIGNING_KEYS: JSON.stringify([{ kid: 'k1', alg: 'HS256', status: 'active', secret: 'z'.repeat(64) }]),
  MFA_ENCRYPTION_KEYS: `m1:${Buffer.alloc(32, 7).toString('base64')}`,
};

let pki: TestPki;
let server: TestCertificate;
beforeAll(async () => {
  pki = createTestPki();
  server = await (await pki.createAuthority('transport-test-ca')).issue('localhost', 'server');
});
afterAll(() => pki.cleanup());

describe('the production transport rules, one by one', () => {
  it('accepts Redis only with TLS and a password', () => {
    expect(redisTransportFinding('REDIS_URL', { tls: true, passwordSet: true })).toBeNull();
    expect(redisTransportFinding('REDIS_URL', { tls: false, passwordSet: false })?.problem).toBe(
      'Redis without TLS (rediss://) and a password',
    );
    expect(redisTransportFinding('REDIS_URL', { tls: false, passwordSet: true })?.problem).toBe('Redis without TLS (rediss://)');
    expect(redisTransportFinding('REDIS_SENTINELS', { tls: true, passwordSet: false })).toEqual({
      rule: 'redis-tls-and-password',
      variable: 'REDIS_SENTINELS',
      problem: 'Redis without a password',
    });
  });

  it('reads TLS and the password off a Redis URL', () => {
    expect(redisConnectionOfUrl('redis://cache:6379/0')).toEqual({ tls: false, passwordSet: false });
    expect(redisConnectionOfUrl('redis://:secret@cache:6379/0')).toEqual({ tls: false, passwordSet: true });
    expect(redisConnectionOfUrl('rediss://user:secret@cache:6380')).toEqual({ tls: true, passwordSet: true });
    expect(redisConnectionOfUrl('not a url')).toEqual({ tls: false, passwordSet: false });
  });

  it.each(['require', 'verify-ca', 'verify-full'])('accepts a DATABASE_URL with sslmode=%s', (mode) => {
    expect(databaseTransportFinding('DATABASE_URL', `postgresql://app@db:5432/pandora?sslmode=${mode}`)).toBeNull();
  });

  it.each([
    ['postgresql://app@db:5432/pandora', 'sslmode=unset'],
    ['postgresql://app@db:5432/pandora?sslmode=prefer', 'sslmode=prefer'],
    ['postgresql://app@db:5432/pandora?sslmode=disable', 'sslmode=disable'],
  ])('refuses %s', (url, shown) => {
    expect(databaseTransportFinding('DATABASE_URL', url)?.problem).toContain(shown);
  });

  it('refuses service tokens without TLS, and nothing else about gRPC', () => {
    expect(grpcTransportFinding('GRPC_TLS_CERT_FILE', { tokensConfigured: true, tlsConfigured: false })?.rule).toBe('grpc-tokens-need-tls');
    expect(grpcTransportFinding('GRPC_TLS_CERT_FILE', { tokensConfigured: true, tlsConfigured: true })).toBeNull();
    expect(grpcTransportFinding('GRPC_TLS_CERT_FILE', { tokensConfigured: false, tlsConfigured: true })).toBeNull();
  });

  it('refuses rate limits turned off', () => {
    expect(rateLimitFinding('RATE_LIMIT_ENABLED', false)?.rule).toBe('rate-limits-on');
    expect(rateLimitFinding('RATE_LIMIT_ENABLED', true)).toBeNull();
  });

  it('judges only in prod, and waives every finding with the override', () => {
    const findings = [rateLimitFinding('RATE_LIMIT_ENABLED', false), null];
    for (const appEnv of ['dev', 'test', 'sandbox', 'audit'] as const) {
      expect(judgeProductionTransport(appEnv, findings, false)).toEqual({ problems: [], waived: [] });
    }
    expect(judgeProductionTransport('prod', findings, false)).toEqual({
      problems: [
        'RATE_LIMIT_ENABLED: rate limits turned off is refused when APP_ENV=prod (ALLOW_INSECURE_PRIVATE_NETWORK=true accepts it on a private network)',
      ],
      waived: [],
    });
    expect(judgeProductionTransport('prod', findings, true)).toEqual({
      problems: [],
      waived: [{ rule: 'rate-limits-on', variable: 'RATE_LIMIT_ENABLED', problem: 'rate limits turned off' }],
    });
  });

  it('logs the waived rules in one security line, naming each, and nothing when none was waived', () => {
    const lines: Array<{ event: string; fields: Record<string, unknown> | undefined }> = [];
    const logger = { security: (event: string, fields?: Record<string, unknown>) => lines.push({ event, fields }) };
    logWaivedTransportRules([], logger);
    expect(lines).toEqual([]);
    const waived = judgeProductionTransport(
      'prod',
      [rateLimitFinding('RATE_LIMIT_ENABLED', false), redisTransportFinding('REDIS_URL', { tls: false, passwordSet: false })],
      true,
    ).waived;
    logWaivedTransportRules(waived, logger);
    expect(lines).toEqual([
      {
        event: 'insecure_transport_allowed',
        fields: {
          override: 'ALLOW_INSECURE_PRIVATE_NETWORK',
          waived_rules: [
            'rate-limits-on (RATE_LIMIT_ENABLED: rate limits turned off)',
            'redis-tls-and-password (REDIS_URL: Redis without TLS (rediss://) and a password)',
          ],
        },
      },
    ]);
  });
});

describe('starting in prod', () => {
  const secureUserApi = { APP_ENV: 'prod', DATABASE_URL: SECURE_DATABASE, REDIS_URL: SECURE_REDIS, ...userApiSecrets };

  it('starts user-api over TLS with a Redis password and the limits on, with nothing waived', () => {
    expect(buildUserApiConfig(secureUserApi).waivedTransportRules).toEqual([]);
  });

  it('refuses user-api on plaintext Redis, a DATABASE_URL without sslmode and RATE_LIMIT_ENABLED=false, naming each variable', () => {
    const problems = problemsOf(() =>
      buildUserApiConfig({
        ...secureUserApi,
        DATABASE_URL: 'postgresql://app:pw@db:5432/pandora',
        REDIS_URL: 'redis://cache:6379/0',
        RATE_LIMIT_ENABLED: 'false',
      }),
    );
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['DATABASE_URL', 'REDIS_URL', 'RATE_LIMIT_ENABLED']);
    expect(problems.join('\n')).toMatch(/sslmode=unset/);
  });

  it('judges the split variables and DATABASE_DIRECT_URL too', () => {
    const { DATABASE_URL: _database, REDIS_URL: _redis, ...rest } = secureUserApi;
    const problems = problemsOf(() =>
      buildUserApiConfig({
        ...rest,
        DB_HOST: 'db',
        DB_SSLMODE: 'prefer',
        REDIS_HOST: 'cache',
        REDIS_PASSWORD: 'pw',
        DATABASE_DIRECT_URL: 'postgresql://app:pw@db-direct:5432/pandora',
      }),
    );
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['DB_SSLMODE', 'DATABASE_DIRECT_URL', 'REDIS_HOST']);
  });

  it('refuses event-relay on plaintext Redis and the cleanup worker on a plaintext database', () => {
    expect(
      problemsOf(() =>
        buildEventRelayConfig({
          APP_ENV: 'prod',
          DATABASE_URL: SECURE_DATABASE,
          REDIS_URL: 'redis://cache:6379',
          SMTP_URL: 'smtps://mail.internal:465',
        }),
      ),
    ).toEqual([expect.stringMatching(/^REDIS_URL: Redis without TLS/)]);
    expect(problemsOf(() => buildAuditCleanupWorkerConfig({ APP_ENV: 'prod', DATABASE_URL: 'postgresql://c@db:5432/pandora' }))).toEqual([
      expect.stringMatching(/^DATABASE_URL: PostgreSQL without TLS/),
    ]);
  });

  it('refuses user-grpc service tokens over plaintext h2c, and accepts them over TLS', () => {
    const grpc = { APP_ENV: 'prod', DATABASE_URL: SECURE_DATABASE, GRPC_AUTH_TOKENS: TOKEN };
    expect(problemsOf(() => buildUserGrpcConfig(grpc))).toEqual([
      expect.stringMatching(/^GRPC_TLS_CERT_FILE: service tokens over plaintext/),
    ]);
    const config = buildUserGrpcConfig({ ...grpc, GRPC_TLS_CERT_FILE: server.certFile, GRPC_TLS_KEY_FILE: server.keyFile });
    expect(config.waivedTransportRules).toEqual([]);
  });

  it('starts anyway with ALLOW_INSECURE_PRIVATE_NETWORK=true, handing every waived rule to the app to log', () => {
    const config = buildUserApiConfig({
      ...secureUserApi,
      DATABASE_URL: 'postgresql://app:pw@db:5432/pandora',
      REDIS_URL: 'redis://cache:6379/0',
      RATE_LIMIT_ENABLED: 'false',
      ALLOW_INSECURE_PRIVATE_NETWORK: 'true',
    });
    expect(config.waivedTransportRules.map((finding) => finding.rule)).toEqual([
      'database-sslmode',
      'redis-tls-and-password',
      'rate-limits-on',
    ]);
    const grpc = buildUserGrpcConfig({
      APP_ENV: 'prod',
      DATABASE_URL: SECURE_DATABASE,
      GRPC_AUTH_TOKENS: TOKEN,
      ALLOW_INSECURE_PRIVATE_NETWORK: 'yes',
    });
    expect(grpc.waivedTransportRules.map((finding) => finding.variable)).toEqual(['GRPC_TLS_CERT_FILE']);
  });

  it('refuses nothing of this in the other environments', () => {
    const plain = { DATABASE_URL: 'postgresql://app:pw@db:5432/pandora', REDIS_URL: 'redis://cache:6379/0', RATE_LIMIT_ENABLED: 'false' };
    for (const appEnv of ['dev', 'test', 'sandbox', 'audit']) {
      expect(buildUserApiConfig({ ...userApiSecrets, ...plain, APP_ENV: appEnv }).waivedTransportRules).toEqual([]);
    }
  });
});
