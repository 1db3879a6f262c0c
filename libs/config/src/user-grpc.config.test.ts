import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createTestPki, type TestCertificate, type TestCertificateAuthority, type TestPki } from '@pandora/testing';
import { ConfigError } from './config-error';
import { buildUserGrpcConfig } from './user-grpc.config';

const LONG_TOKEN = 'a'.repeat(40);
const deployed = { DATABASE_URL: 'postgresql://pandora@db.internal:5432/pandora?sslmode=verify-full' };
/** Server-side TLS: production refuses service tokens over plaintext h2c. */
const serverTls = () => ({ GRPC_TLS_CERT_FILE: server.certFile, GRPC_TLS_KEY_FILE: server.keyFile });

function problemsOf(env: Record<string, string>): string {
  try {
    buildUserGrpcConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

let pki: TestPki;
let ca: TestCertificateAuthority;
let server: TestCertificate;
beforeAll(async () => {
  pki = createTestPki();
  ca = await pki.createAuthority('config-test-ca');
  server = await ca.issue('localhost', 'server');
});
afterAll(() => pki.cleanup());

describe('user-grpc configuration', () => {
  it('applies the documented defaults with nothing configured', () => {
    const config = buildUserGrpcConfig({});
    expect(config.appEnv).toBe('dev');
    expect(config.grpc).toMatchObject({
      host: '0.0.0.0',
      port: 9090,
      reflection: true,
      shutdownTimeoutMs: 10_000,
      authTokens: [],
      tls: null,
    });
    expect(config.metrics.port).toBe(9464);
    expect(config.audit.retentionDays).toBe(30);
    expect(config).not.toHaveProperty('redis');
  });

  it('reads named and bare service tokens; a bare token is named after its SHA-256', () => {
    const config = buildUserGrpcConfig({ GRPC_AUTH_TOKENS: ` wallet:${LONG_TOKEN}1 , ${LONG_TOKEN}2,trading-engine:x:y ` });
    expect(config.grpc.authTokens).toEqual([
      { name: 'wallet', token: `${LONG_TOKEN}1` },
      { name: `token-${createHash('sha256').update(`${LONG_TOKEN}2`).digest('hex').slice(0, 8)}`, token: `${LONG_TOKEN}2` },
      { name: 'trading-engine', token: 'x:y' },
    ]);
  });

  it('refuses duplicate names or tokens and tokens with spaces, without echoing any token', () => {
    const problems = problemsOf({ GRPC_AUTH_TOKENS: 'wallet:secret-one,wallet:secret-two,other:secret-one,third:has space' });
    expect(problems).toMatch(/GRPC_AUTH_TOKENS: .*caller names must be unique/);
    expect(problems).toMatch(/tokens must be unique/);
    expect(problems).toMatch(/entry 4: a token may contain printable ASCII only/);
    expect(problems).not.toMatch(/secret-one|secret-two|has space/);
  });

  it.each(['prod', 'audit', 'sandbox'])('refuses to start in %s without any caller credential', (appEnv) => {
    expect(problemsOf({ APP_ENV: appEnv, ...deployed })).toContain(
      `GRPC_AUTH_TOKENS: callers must authenticate when APP_ENV=${appEnv}: set service tokens, or GRPC_TLS_CLIENT_CA_FILE for mTLS (neither is set)`,
    );
  });

  it('starts in prod with service tokens of at least 32 characters, and without REDIS_URL', () => {
    const config = buildUserGrpcConfig({ APP_ENV: 'prod', ...deployed, ...serverTls(), GRPC_AUTH_TOKENS: `wallet:${LONG_TOKEN}` });
    expect(config.grpc.authTokens).toHaveLength(1);
    expect(config.grpc.reflection).toBe(false);
    expect(problemsOf({ APP_ENV: 'prod', ...deployed, GRPC_AUTH_TOKENS: 'wallet:short-token' })).toContain(
      'GRPC_AUTH_TOKENS: every token must be at least 32 characters when APP_ENV=prod',
    );
  });

  it('starts in prod with mTLS as the only caller credential', () => {
    const config = buildUserGrpcConfig({
      APP_ENV: 'prod',
      ...deployed,
      GRPC_TLS_CERT_FILE: server.certFile,
      GRPC_TLS_KEY_FILE: server.keyFile,
      GRPC_TLS_CLIENT_CA_FILE: ca.certFile,
    });
    expect(config.grpc.tls).toEqual({ certChain: server.cert, privateKey: server.key, clientCa: ca.cert });
  });

  it.each([
    ['dev', true],
    ['test', false],
    ['sandbox', true],
    ['audit', false],
    ['prod', false],
  ])('enables reflection by default in %s: %s', (appEnv, expected) => {
    const env =
      appEnv === 'dev' || appEnv === 'test'
        ? { APP_ENV: appEnv }
        : { APP_ENV: appEnv, ...deployed, ...serverTls(), GRPC_AUTH_TOKENS: `w:${LONG_TOKEN}` };
    expect(buildUserGrpcConfig(env).grpc.reflection).toBe(expected);
  });

  it('lets GRPC_REFLECTION turn reflection off anywhere and on in test, but never on in audit or prod', () => {
    expect(buildUserGrpcConfig({ GRPC_REFLECTION: 'false' }).grpc.reflection).toBe(false);
    expect(
      buildUserGrpcConfig({ APP_ENV: 'sandbox', ...deployed, GRPC_AUTH_TOKENS: `w:${LONG_TOKEN}`, GRPC_REFLECTION: 'false' }).grpc
        .reflection,
    ).toBe(false);
    expect(buildUserGrpcConfig({ APP_ENV: 'test', GRPC_REFLECTION: 'true' }).grpc.reflection).toBe(true);
    for (const appEnv of ['audit', 'prod']) {
      expect(problemsOf({ APP_ENV: appEnv, ...deployed, GRPC_AUTH_TOKENS: `w:${LONG_TOKEN}`, GRPC_REFLECTION: 'true' })).toContain(
        `GRPC_REFLECTION: reflection is not allowed when APP_ENV=${appEnv}`,
      );
    }
    expect(problemsOf({ GRPC_REFLECTION: 'maybe' })).toContain('GRPC_REFLECTION: expected true or false');
  });

  it('names unreadable, non-PEM and mismatched TLS files', async () => {
    const other = await ca.issue('other', 'server');
    const notPem = path.join(pki.dir, 'not-a-certificate.pem');
    fs.writeFileSync(notPem, 'hello');
    expect(problemsOf({ GRPC_TLS_CERT_FILE: path.join(pki.dir, 'missing.crt'), GRPC_TLS_KEY_FILE: server.keyFile })).toMatch(
      /GRPC_TLS_CERT_FILE: cannot read the file \(ENOENT; got ".*missing\.crt"\)/,
    );
    expect(problemsOf({ GRPC_TLS_CERT_FILE: notPem, GRPC_TLS_KEY_FILE: server.keyFile })).toMatch(
      /GRPC_TLS_CERT_FILE: the file holds no PEM certificate/,
    );
    expect(problemsOf({ GRPC_TLS_CERT_FILE: server.certFile, GRPC_TLS_KEY_FILE: other.keyFile })).toContain(
      'GRPC_TLS_KEY_FILE: the private key does not belong to the certificate in GRPC_TLS_CERT_FILE',
    );
  });

  it('needs the server certificate and key together, and both for mTLS', () => {
    expect(problemsOf({ GRPC_TLS_CERT_FILE: server.certFile })).toContain('GRPC_TLS_CERT_FILE / GRPC_TLS_KEY_FILE: set both or neither');
    expect(problemsOf({ GRPC_TLS_CLIENT_CA_FILE: ca.certFile })).toContain(
      'GRPC_TLS_CLIENT_CA_FILE: mTLS also needs the server certificate',
    );
  });

  it('refuses the same port for gRPC and metrics', () => {
    expect(problemsOf({ GRPC_PORT: '9000', METRICS_PORT: '9000' })).toContain('METRICS_PORT: must differ from GRPC_PORT');
  });
});
