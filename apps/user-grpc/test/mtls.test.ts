import { credentials, status as Status } from '@grpc/grpc-js';
import { auditLogs } from '@pandora/data-access';
import { ServingStatus } from '@pandora/grpc-contract';
import {
  createTestDatabase,
  createTestPki,
  type TestCertificate,
  type TestCertificateAuthority,
  type TestDatabase,
  type TestPki,
} from '@pandora/testing';
import { failure, invoke, seedUser, startTestUserGrpc, WALLET_TOKEN, type TestUserGrpc } from './support/test-user-grpc';

/**
 * TLS and mTLS on the gRPC listener, with a PKI made in-process for this suite (no network):
 * a CA for the server's certificate, a CA for callers, and an unrelated CA.
 */
let pki: TestPki;
let serverCa: TestCertificateAuthority;
let callersCa: TestCertificateAuthority;
let server: TestCertificate;
let wallet: TestCertificate;
let stranger: TestCertificate;
let selfSigned: TestCertificate;
let db: TestDatabase;

beforeAll(async () => {
  pki = createTestPki();
  serverCa = await pki.createAuthority('pandora-test-server-ca');
  callersCa = await pki.createAuthority('pandora-test-callers-ca');
  const otherCa = await pki.createAuthority('some-other-ca');
  server = await serverCa.issue('localhost', 'server');
  wallet = await callersCa.issue('wallet-mtls', 'client');
  stranger = await otherCa.issue('wallet-mtls', 'client');
  selfSigned = await pki.selfSigned('wallet-mtls');
  db = await createTestDatabase();
});
afterAll(async () => {
  pki.cleanup();
  await db.drop();
});

function clientCredentials(certificate?: TestCertificate) {
  return certificate ? credentials.createSsl(serverCa.cert, certificate.key, certificate.cert) : credentials.createSsl(serverCa.cert);
}

const SHORT = { deadlineMs: 5_000 };
/** The server certificate names localhost; the test servers listen on 127.0.0.1. */
const TLS_NAME = { 'grpc.ssl_target_name_override': 'localhost' };

describe('mTLS as the only caller credential', () => {
  let grpc: TestUserGrpc;
  beforeAll(async () => {
    grpc = await startTestUserGrpc({
      db,
      env: {
        GRPC_AUTH_TOKENS: '',
        GRPC_TLS_CERT_FILE: server.certFile,
        GRPC_TLS_KEY_FILE: server.keyFile,
        GRPC_TLS_CLIENT_CA_FILE: callersCa.certFile,
      },
    });
  });
  afterAll(() => grpc.stop());

  it('accepts a client certificate from the configured CA and names the caller by its CN', async () => {
    const user = await seedUser(grpc.rows);
    const client = grpc.client(clientCredentials(wallet), TLS_NAME);
    const { response } = await invoke(
      client.updateKycStatus.bind(client),
      { userId: user.id, kycStatus: 'verified', updatedBy: '' },
      { ...SHORT, token: null },
    );
    expect(response.user?.kycStatus).toBe('verified');
    expect(await grpc.rows.one(auditLogs, { userId: user.id })).toMatchObject({
      actorIdentifier: 'wallet-mtls',
      metadata: { caller: 'wallet-mtls', caller_authentication: 'mtls' },
    });
  });

  it.each([
    ['a certificate from another CA', () => stranger],
    ['a self-signed certificate', () => selfSigned],
    ['no certificate', () => undefined],
  ])('refuses a connection with %s', async (_label, certificate) => {
    const user = await seedUser(grpc.rows);
    const client = grpc.client(clientCredentials(certificate()), TLS_NAME);
    const error = await failure(invoke(client.getUser.bind(client), { userId: user.id }, { ...SHORT, token: null }));
    expect(error.code).toBe(Status.UNAVAILABLE);
  });

  it('refuses a plaintext connection', async () => {
    const client = grpc.client(credentials.createInsecure());
    const error = await failure(invoke(client.listUsers.bind(client), { limit: 1, offset: 0 }, { ...SHORT, token: null }));
    expect(error.code).toBe(Status.UNAVAILABLE);
  });

  it('answers health checks to a caller with a valid certificate and no token', async () => {
    const health = grpc.health(clientCredentials(wallet), TLS_NAME);
    const response = await new Promise((resolve, reject) =>
      health.check({ service: '' }, (error, answer) => (error ? reject(error) : resolve(answer))),
    );
    expect(response).toEqual({ status: ServingStatus.SERVING });
  });
});

describe('mTLS together with service tokens', () => {
  let grpc: TestUserGrpc;
  beforeAll(async () => {
    grpc = await startTestUserGrpc({
      db,
      env: { GRPC_TLS_CERT_FILE: server.certFile, GRPC_TLS_KEY_FILE: server.keyFile, GRPC_TLS_CLIENT_CA_FILE: callersCa.certFile },
    });
  });
  afterAll(() => grpc.stop());

  it('requires both: a valid certificate without a token is UNAUTHENTICATED', async () => {
    const user = await seedUser(grpc.rows);
    const client = grpc.client(clientCredentials(wallet), TLS_NAME);
    expect((await failure(invoke(client.getUser.bind(client), { userId: user.id }, { ...SHORT, token: null }))).code).toBe(
      Status.UNAUTHENTICATED,
    );
    await expect(invoke(client.getUser.bind(client), { userId: user.id }, { ...SHORT, token: WALLET_TOKEN })).resolves.toBeDefined();
  });

  it('refuses a valid token over a connection without a certificate', async () => {
    const user = await seedUser(grpc.rows);
    const client = grpc.client(clientCredentials(), TLS_NAME);
    expect((await failure(invoke(client.getUser.bind(client), { userId: user.id }, SHORT))).code).toBe(Status.UNAVAILABLE);
  });
});

describe('TLS without client certificates', () => {
  it('serves token-authenticated callers over TLS and refuses plaintext', async () => {
    const grpc = await startTestUserGrpc({ db, env: { GRPC_TLS_CERT_FILE: server.certFile, GRPC_TLS_KEY_FILE: server.keyFile } });
    try {
      const user = await seedUser(grpc.rows);
      const tlsClient = grpc.client(clientCredentials(), TLS_NAME);
      await expect(invoke(tlsClient.getUser.bind(tlsClient), { userId: user.id }, SHORT)).resolves.toBeDefined();
      const plaintext = grpc.client(credentials.createInsecure());
      expect((await failure(invoke(plaintext.getUser.bind(plaintext), { userId: user.id }, SHORT))).code).toBe(Status.UNAVAILABLE);
    } finally {
      await grpc.stop();
    }
  });
});
