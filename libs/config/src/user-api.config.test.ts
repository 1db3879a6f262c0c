import { ConfigError } from './config-error';
import { buildUserApiConfig } from './user-api.config';

const base = { APP_ENV: 'test' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    buildUserApiConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('user-api configuration', () => {
  it('applies the documented defaults with nothing configured', () => {
    const config = buildUserApiConfig({});
    expect(config.appEnv).toBe('dev');
    expect(config.logLevel).toBe('debug');
    expect(config.http.publicPort).toBe(8080);
    expect(config.http.adminPort).toBe(8081);
    expect(config.http.trustProxy).toBe(false);
    expect(config.auth.accessTokenTtlMs).toBe(15 * 60_000);
    expect(config.auth.refreshTokenTtlMs).toBe(7 * 24 * 3_600_000);
    expect(config.auth.refreshReuseGraceMs).toBe(10_000);
    expect(config.argon2).toEqual({ memoryKib: 65_536, timeCost: 1, parallelism: 4, workers: 0 });
    expect(config.audit.retentionDays).toBe(30);
    expect(config.database.isLocalDefault).toBe(true);
    expect(config.idempotency.ttlMs).toBe(86_400_000);
  });

  it.each(['test', 'sandbox', 'audit', 'prod'])('uses the documented abuse-control budgets when APP_ENV=%s', (appEnv) => {
    const config = buildUserApiConfig({ APP_ENV: appEnv, ...(appEnv === 'test' ? {} : deployedSecrets()) });
    expect(config.rateLimits).toEqual({
      enabled: true,
      perIp: { limit: 100, windowMs: 60_000 },
      perUser: { limit: 60, windowMs: 60_000 },
      login: { limit: 5, windowMs: 900_000 },
      register: { limit: 10, windowMs: 3_600_000 },
      mail: { limit: 3, windowMs: 3_600_000 },
      recovery: { limit: 10, windowMs: 3_600_000 },
    });
    expect(config.loginLockout).toEqual({ threshold: 5, baseMs: 60_000, maxMs: 3_600_000 });
  });

  it('gives APP_ENV=dev budgets a person exploring by hand never reaches, same windows, each variable still winning', () => {
    const config = buildUserApiConfig({});
    expect(config.rateLimits).toEqual({
      enabled: true,
      perIp: { limit: 1_000, windowMs: 60_000 },
      perUser: { limit: 1_000, windowMs: 60_000 },
      login: { limit: 100, windowMs: 900_000 },
      register: { limit: 1_000, windowMs: 3_600_000 },
      mail: { limit: 30, windowMs: 3_600_000 },
      recovery: { limit: 1_000, windowMs: 3_600_000 },
    });
    expect(config.loginLockout).toEqual({ threshold: 50, baseMs: 60_000, maxMs: 3_600_000 });
    const tightened = buildUserApiConfig({
      RATE_LIMIT_LOGIN_REQUESTS: '5',
      LOGIN_LOCKOUT_THRESHOLD: '5',
      RATE_LIMIT_REGISTER_REQUESTS: '10',
    });
    expect(tightened.rateLimits.login.limit).toBe(5);
    expect(tightened.rateLimits.register.limit).toBe(10);
    expect(tightened.loginLockout.threshold).toBe(5);
    expect(problemsOf({ RATE_LIMIT_LOGIN_REQUESTS: '0' }).join()).toMatch(
      /RATE_LIMIT_LOGIN_REQUESTS: expected an integer between 1 and 10000/,
    );
  });

  it('reads the lifetimes of mailed links and the mail and recovery limits', () => {
    expect(buildUserApiConfig({}).mailLinks).toEqual({
      emailVerificationTtlMs: 86_400_000,
      passwordResetTtlMs: 1_800_000,
      emailChangeTtlMs: 86_400_000,
    });
    const config = buildUserApiConfig({
      EMAIL_VERIFICATION_TTL: '2h',
      PASSWORD_RESET_TTL: '10m',
      EMAIL_CHANGE_TTL: '1h',
      RATE_LIMIT_MAIL_REQUESTS: '5',
      RATE_LIMIT_MAIL_WINDOW: '30m',
      RATE_LIMIT_RECOVERY_REQUESTS: '20',
      RATE_LIMIT_RECOVERY_WINDOW: '2h',
    });
    expect(config.mailLinks).toEqual({ emailVerificationTtlMs: 7_200_000, passwordResetTtlMs: 600_000, emailChangeTtlMs: 3_600_000 });
    expect(config.rateLimits.mail).toEqual({ limit: 5, windowMs: 1_800_000 });
    expect(config.rateLimits.recovery).toEqual({ limit: 20, windowMs: 7_200_000 });
    expect(problemsOf({ PASSWORD_RESET_TTL: 'soon' }).join()).toMatch(/PASSWORD_RESET_TTL/);
  });

  it('reads every abuse-control variable', () => {
    const config = buildUserApiConfig({
      ...base,
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_REQUESTS_PER_WINDOW: '7',
      RATE_LIMIT_WINDOW_DURATION: '30s',
      RATE_LIMIT_USER_REQUESTS_PER_WINDOW: '6',
      RATE_LIMIT_LOGIN_REQUESTS: '3',
      RATE_LIMIT_LOGIN_WINDOW: '5m',
      RATE_LIMIT_REGISTER_REQUESTS: '2',
      RATE_LIMIT_REGISTER_WINDOW: '2h',
      LOGIN_LOCKOUT_THRESHOLD: '4',
      LOGIN_LOCKOUT_BASE: '30s',
      LOGIN_LOCKOUT_MAX: '2h',
    });
    expect(config.rateLimits).toEqual({
      enabled: false,
      perIp: { limit: 7, windowMs: 30_000 },
      perUser: { limit: 6, windowMs: 30_000 },
      login: { limit: 3, windowMs: 300_000 },
      register: { limit: 2, windowMs: 7_200_000 },
      mail: { limit: 3, windowMs: 3_600_000 },
      recovery: { limit: 10, windowMs: 3_600_000 },
    });
    expect(config.loginLockout).toEqual({ threshold: 4, baseMs: 30_000, maxMs: 7_200_000 });
    expect(problemsOf({ ...base, LOGIN_LOCKOUT_BASE: '2h', LOGIN_LOCKOUT_MAX: '1h' }).join()).toMatch(/LOGIN_LOCKOUT_MAX/);
  });

  it.each([
    ['dev', 30, 'debug'],
    ['sandbox', 90, 'info'],
    ['audit', 2555, 'warn'],
    ['prod', 2555, 'error'],
  ])('uses the %s defaults for retention and log level', (appEnv, retention, level) => {
    const deployed = appEnv === 'dev' ? {} : deployedSecrets();
    const config = buildUserApiConfig({ APP_ENV: appEnv, ...deployed });
    expect(config.audit.retentionDays).toBe(retention);
    expect(config.logLevel).toBe(level);
  });

  it('lets AUDIT_RETENTION_DAYS and LOG_LEVEL override the environment defaults', () => {
    const config = buildUserApiConfig({ ...base, AUDIT_RETENTION_DAYS: '7', LOG_LEVEL: 'info' });
    expect(config.audit.retentionDays).toBe(7);
    expect(config.logLevel).toBe('info');
  });

  it('keeps users and sessions 30 s by default, READ_CACHE_TTL=0 turning the read cache off', () => {
    expect(buildUserApiConfig(base).readCache).toEqual({ ttlMs: 30_000 });
    expect(buildUserApiConfig({ ...base, READ_CACHE_TTL: '0s' }).readCache).toEqual({ ttlMs: 0 });
    expect(problemsOf({ ...base, READ_CACHE_TTL: '2h' }).join('\n')).toMatch(/READ_CACHE_TTL/);
  });

  it('stops on SESSION_CACHE_TTL, which READ_CACHE_TTL replaced, naming its replacement', () => {
    expect(problemsOf({ ...base, SESSION_CACHE_TTL: '500ms' })).toEqual([
      expect.stringMatching(/^SESSION_CACHE_TTL: no longer read; READ_CACHE_TTL replaced it/),
    ]);
  });

  it('names every bad variable in one error', () => {
    const problems = problemsOf({ ...base, SERVER_PORT: 'eighty', JWT_ACCESS_TOKEN_EXPIRY: '15', APP_ENV: 'staging' });
    expect(problems.join('\n')).toMatch(/SERVER_PORT: expected a TCP port/);
    expect(problems.join('\n')).toMatch(/JWT_ACCESS_TOKEN_EXPIRY: expected a Go duration/);
    expect(problems.join('\n')).toMatch(/APP_ENV/);
  });

  it('never echoes a secret value in an error', () => {
    const problems = problemsOf({ ...base, JWT_SIGNING_KEYS: '{"not":"an array","secret":"hunter2-hunter2"}' });
    expect(problems.join('\n')).toMatch(/JWT_SIGNING_KEYS/);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('builds DATABASE_URL and REDIS_URL from the original split variables', () => {
    const config = buildUserApiConfig({
      ...base,
      DB_HOST: 'db.internal',
      DB_PORT: '6432',
      DB_USER: 'pandora',
      DB_PASSWORD: 'p@ss word',
      DB_NAME: 'users',
      DB_SSLMODE: 'require',
      REDIS_HOST: 'cache.internal',
      REDIS_PASSWORD: 's3cret',
      REDIS_DB: '2',
    });
    expect(config.database.url).toBe('postgresql://pandora:p%40ss%20word@db.internal:6432/users?sslmode=require');
    expect(config.redis.topology).toEqual({ kind: 'single', url: 'redis://:s3cret@cache.internal:6379/2' });
    expect(config.database.isLocalDefault).toBe(false);
  });

  it('refuses dev defaults and missing secrets in prod', () => {
    const problems = problemsOf({ APP_ENV: 'prod' });
    expect(problems.join('\n')).toMatch(/DATABASE_URL: required when APP_ENV=prod/);
    expect(problems.join('\n')).toMatch(/REDIS_URL: required when APP_ENV=prod/);
    expect(problems.join('\n')).toMatch(/JWT_SIGNING_KEYS: required when APP_ENV=prod/);
    expect(problems.join('\n')).toMatch(/MFA_ENCRYPTION_KEYS: required when APP_ENV=prod/);
  });

  it('reads the MFA key ring (first key seals), the challenge lifetime and the admin MFA policy', () => {
    const [k1, k2] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const config = buildUserApiConfig({
      ...base,
      MFA_ENCRYPTION_KEYS: `2026-12:${k1.toString('base64')}, 2026-01:${k2.toString('base64')}`,
      MFA_CHALLENGE_TTL: '2m',
      ADMIN_MFA_REQUIRED: 'true',
    });
    expect(config.mfa).toEqual({
      encryptionKeys: [
        { kid: '2026-12', key: k1 },
        { kid: '2026-01', key: k2 },
      ],
      challengeTtlMs: 120_000,
      adminRequired: true,
    });
    expect(buildUserApiConfig(base).mfa).toEqual({ encryptionKeys: null, challengeTtlMs: 300_000, adminRequired: false });
  });

  it('requires admin MFA by default where real accounts are at stake, and lets it be switched', () => {
    expect(buildUserApiConfig({ APP_ENV: 'dev' }).mfa.adminRequired).toBe(false);
    for (const appEnv of ['sandbox', 'audit', 'prod'])
      expect(buildUserApiConfig({ APP_ENV: appEnv, ...deployedSecrets() }).mfa.adminRequired).toBe(true);
    expect(buildUserApiConfig({ APP_ENV: 'sandbox', ...deployedSecrets(), ADMIN_MFA_REQUIRED: 'false' }).mfa.adminRequired).toBe(false);
    expect(problemsOf({ ...base, ADMIN_MFA_REQUIRED: 'maybe' }).join()).toMatch(/ADMIN_MFA_REQUIRED/);
  });

  it('refuses a malformed MFA key ring without echoing key material', () => {
    const short = Buffer.alloc(16, 9).toString('base64');
    const problems = problemsOf({
      ...base,
      MFA_ENCRYPTION_KEYS: `k1:${short},k1:${Buffer.alloc(32, 3).toString('base64')},k1:${Buffer.alloc(32, 4).toString('base64')},nokid`,
    });
    const text = problems.join('\n');
    expect(text).toMatch(/MFA_ENCRYPTION_KEYS: .*key "k1": must be exactly 32 bytes/);
    expect(text).toMatch(/duplicate kid/);
    expect(text).toMatch(/entry 4: expected kid:base64key/);
    expect(text).not.toContain(short);
    expect(text).not.toContain(Buffer.alloc(32, 3).toString('base64'));
    expect(problemsOf({ ...base, MFA_CHALLENGE_TTL: '1h' }).join()).toMatch(/MFA_CHALLENGE_TTL/);
  });

  it('refuses weak Argon2 parameters outside dev/test', () => {
    expect(problemsOf({ APP_ENV: 'prod', ...deployedSecrets(), ARGON2_MEMORY_KIB: '1024' }).join('\n')).toMatch(/ARGON2_MEMORY_KIB/);
    expect(buildUserApiConfig({ ...base, ARGON2_MEMORY_KIB: '1024', ARGON2_PARALLELISM: '1' }).argon2.memoryKib).toBe(1024);
  });

  it('hashes in its own process unless ARGON2_WORKERS asks for helper processes, in every environment', () => {
    expect(buildUserApiConfig(base).argon2.workers).toBe(0);
    expect(buildUserApiConfig({ APP_ENV: 'prod', ...deployedSecrets() }).argon2.workers).toBe(0);
    expect(buildUserApiConfig({ APP_ENV: 'prod', ...deployedSecrets(), ARGON2_WORKERS: '1' }).argon2.workers).toBe(1);
    expect(buildUserApiConfig({ ...base, ARGON2_WORKERS: '3' }).argon2.workers).toBe(3);
    expect(problemsOf({ ...base, ARGON2_WORKERS: '17' }).join('\n')).toMatch(/ARGON2_WORKERS/);
    expect(problemsOf({ ...base, ARGON2_WORKERS: 'two' }).join('\n')).toMatch(/ARGON2_WORKERS/);
  });

  it('accepts express trust-proxy values but never "true"', () => {
    expect(buildUserApiConfig({ ...base, TRUST_PROXY: 'loopback' }).http.trustProxy).toEqual(['loopback']);
    expect(buildUserApiConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).http.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.1']);
    expect(buildUserApiConfig({ ...base, TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(problemsOf({ ...base, TRUST_PROXY: 'true' }).join()).toMatch(/TRUST_PROXY/);
    expect(problemsOf({ ...base, TRUST_PROXY: '10.0.0.0/8,evil' }).join()).toMatch(/TRUST_PROXY/);
  });

  it('validates the signing key ring: exactly one active key that can sign', () => {
    const twoActive = JSON.stringify([
      { kid: 'a', alg: 'HS256', status: 'active', secret: 'x'.repeat(43) },
      { kid: 'b', alg: 'HS256', status: 'active', secret: 'y'.repeat(43) },
    ]);
    expect(problemsOf({ ...base, JWT_SIGNING_KEYS: twoActive }).join()).toMatch(/exactly one key must be active/);
    const publicOnly = JSON.stringify([{ kid: 'a', alg: 'ES256', status: 'active', public_key: 'PEM' }]);
    expect(problemsOf({ ...base, JWT_SIGNING_KEYS: publicOnly }).join()).toMatch(/needs a private_key/);
    const shortSecret = JSON.stringify([{ kid: 'a', alg: 'HS256', status: 'active', secret: 'short' }]);
    expect(problemsOf({ ...base, JWT_SIGNING_KEYS: shortSecret }).join()).toMatch(/256 bits/);
  });
});

function deployedSecrets(): Record<string, string> {
  return {
    DATABASE_URL: 'postgresql://app:pw@db:5432/pandora?sslmode=verify-full',
    REDIS_URL: 'rediss://:pw@cache:6379/0',
    JWT_SIGNING_KEYS: JSON.stringify([{ kid: 'k1', alg: 'HS256', status: 'active', secret: 'z'.repeat(64) }]),
    MFA_ENCRYPTION_KEYS: `m1:${Buffer.alloc(32, 7).toString('base64')}`,
  };
}
