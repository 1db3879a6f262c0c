import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * docs/configuration.md#production-transport: with APP_ENV=prod, ALLOW_INSECURE_PRIVATE_NETWORK=true
 * lets user-api run on the tests' plaintext PostgreSQL and Redis with the rate limits off — and the
 * app says so once at start-up, at prod's quiet LOG_LEVEL, naming every rule it waived.
 */
let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi({
    env: {
      APP_ENV: 'prod',
      LOG_LEVEL: 'error',
      ALLOW_INSECURE_PRIVATE_NETWORK: 'true',
      ARGON2_MEMORY_KIB: '19456',
      JWT_SIGNING_KEYS: JSON.stringify([{ kid: 'k1', alg: 'HS256', status: 'active', secret: 'z'.repeat(64) }]),
      MFA_ENCRYPTION_KEYS: `m1:${Buffer.alloc(32, 7).toString('base64')}`,
    },
  });
});
afterAll(() => t.stop());

describe('a production user-api on a network declared private', () => {
  it('serves', async () => {
    expect((await t.http().get('/health')).status).toBe(200);
  });

  it('logs one insecure_transport_allowed line at LOG_LEVEL=error, naming each waived rule and no secret', () => {
    const lines = t.logs.filter((line) => line.security_event === 'insecure_transport_allowed');
    expect(lines).toHaveLength(1);
    const [line] = lines as [Record<string, unknown>];
    expect(line.level).toBe('warn');
    expect(line.override).toBe('ALLOW_INSECURE_PRIVATE_NETWORK');
    expect(line.waived_rules).toEqual([
      expect.stringMatching(/^database-sslmode \(DATABASE_URL: PostgreSQL without TLS/),
      expect.stringMatching(/^redis-tls-and-password \(REDIS_URL: Redis without TLS/),
      expect.stringMatching(/^rate-limits-on \(RATE_LIMIT_ENABLED: rate limits turned off\)$/),
    ]);
    expect(t.rawLogs()).not.toContain(t.db.url);
    expect(t.rawLogs()).not.toContain('z'.repeat(64));
  });
});
