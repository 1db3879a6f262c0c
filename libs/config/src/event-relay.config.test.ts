import { ConfigError } from './config-error';
import { buildEventRelayConfig, buildEventStreamReaderConfig } from './event-relay.config';

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('event-relay configuration', () => {
  it('takes its session connection from DATABASE_DIRECT_URL, or DATABASE_URL when that is unset', () => {
    const pooled = 'postgresql://app@pgbouncer.internal:6432/pandora';
    const direct = 'postgresql://app@db.internal:5432/pandora';
    expect(buildEventRelayConfig({ DATABASE_URL: pooled }).database).toMatchObject({ url: pooled, directUrl: pooled });
    expect(buildEventRelayConfig({ DATABASE_URL: pooled, DATABASE_DIRECT_URL: direct }).database).toMatchObject({
      url: pooled,
      directUrl: direct,
    });
  });

  it('names a bad DATABASE_DIRECT_URL without echoing it', () => {
    const problems = problemsOf(() => buildEventRelayConfig({ DATABASE_DIRECT_URL: 'mysql://app:hunter2@db/pandora' }));
    expect(problems.join('\n')).toMatch(/DATABASE_DIRECT_URL: expected a URL with scheme postgresql:\/\//);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('applies the documented defaults with nothing configured', () => {
    const config = buildEventRelayConfig({});
    expect(config.http.metricsPort).toBe(9465);
    expect(config.stream).toEqual({ name: 'user-service:events', maxLength: 10_000 });
    expect(config.relay).toEqual({
      batchSize: 500,
      pollIntervalMs: 1_000,
      leaderRetryIntervalMs: 2_000,
      maxBackoffMs: 10_000,
      publishTimeoutMs: 5_000,
      leaderYieldAfterMs: 30_000,
      waitReplicas: 'auto',
      waitTimeoutMs: 1_000,
    });
    expect(config.http.shutdownTimeoutMs).toBe(10_000);
    expect(config.redis.keyPrefix).toBe('');
  });

  it('reads every setting from its variable', () => {
    const config = buildEventRelayConfig({
      APP_ENV: 'test',
      METRICS_PORT: '19465',
      EVENTS_STREAM: 'pandora:{users}:events',
      EVENTS_STREAM_MAXLEN: '50000',
      EVENT_RELAY_BATCH_SIZE: '50',
      EVENT_RELAY_POLL_INTERVAL: '250ms',
      EVENT_RELAY_LEADER_RETRY_INTERVAL: '500ms',
      EVENT_RELAY_MAX_BACKOFF: '3s',
      EVENT_RELAY_PUBLISH_TIMEOUT: '2s',
      EVENT_RELAY_LEADER_YIELD_AFTER: '1m',
      EVENT_RELAY_WAIT_REPLICAS: '2',
      EVENT_RELAY_WAIT_TIMEOUT: '500ms',
      REDIS_KEY_PREFIX: 'staging:',
    });
    expect(config.http.metricsPort).toBe(19465);
    expect(config.stream).toEqual({ name: 'pandora:{users}:events', maxLength: 50_000 });
    expect(config.relay).toEqual({
      batchSize: 50,
      pollIntervalMs: 250,
      leaderRetryIntervalMs: 500,
      maxBackoffMs: 3_000,
      publishTimeoutMs: 2_000,
      leaderYieldAfterMs: 60_000,
      waitReplicas: 2,
      waitTimeoutMs: 500,
    });
    expect(config.redis.keyPrefix).toBe('staging:');
  });

  it('names every bad variable in one error', () => {
    const problems = problemsOf(() =>
      buildEventRelayConfig({
        APP_ENV: 'test',
        METRICS_PORT: 'ninety',
        EVENTS_STREAM: 'has spaces',
        EVENTS_STREAM_MAXLEN: '10',
        EVENT_RELAY_BATCH_SIZE: '0',
        EVENT_RELAY_POLL_INTERVAL: '1',
      }),
    ).join('\n');
    expect(problems).toMatch(/METRICS_PORT: expected a TCP port/);
    expect(problems).toMatch(/EVENTS_STREAM: expected a Redis key/);
    expect(problems).toMatch(/EVENTS_STREAM_MAXLEN: expected an integer between 100/);
    expect(problems).toMatch(/EVENT_RELAY_BATCH_SIZE: expected an integer between 1 and 10000/);
    expect(problems).toMatch(/EVENT_RELAY_POLL_INTERVAL: expected a Go duration/);
  });

  it('refuses local defaults in prod', () => {
    const problems = problemsOf(() => buildEventRelayConfig({ APP_ENV: 'prod' })).join('\n');
    expect(problems).toMatch(/DATABASE_URL: required when APP_ENV=prod/);
    expect(problems).toMatch(/REDIS_URL: required when APP_ENV=prod/);
  });
});

describe('the mail courier configuration', () => {
  it('points at the local mail catcher and the local public listener when nothing is set', () => {
    expect(buildEventRelayConfig({}).mail).toEqual({
      smtpUrl: 'smtp://127.0.0.1:1025',
      usesLocalCatcher: true,
      requireTls: false,
      from: 'Pandora Exchange <no-reply@pandora.local>',
      publicWebUrl: 'http://localhost:8080',
      pollIntervalMs: 1_000,
      batchSize: 10,
      sendTimeoutMs: 30_000,
      maxAttempts: 8,
      retryBaseMs: 60_000,
      retryMaxMs: 3_600_000,
    });
    expect(buildEventRelayConfig({ SERVER_PORT: '18080' }).mail.publicWebUrl).toBe('http://localhost:18080');
  });

  it('reads every mail setting from its variable', () => {
    const mail = buildEventRelayConfig({
      SMTP_URL: 'smtps://user:secret@mail.example:465',
      MAIL_FROM: 'bot@mail.example',
      PUBLIC_WEB_URL: 'https://exchange.example/',
      MAIL_POLL_INTERVAL: '250ms',
      MAIL_BATCH_SIZE: '5',
      MAIL_SEND_TIMEOUT: '10s',
      MAIL_MAX_ATTEMPTS: '3',
      MAIL_RETRY_BASE: '5s',
      MAIL_RETRY_MAX: '10m',
    }).mail;
    expect(mail).toEqual({
      smtpUrl: 'smtps://user:secret@mail.example:465',
      usesLocalCatcher: false,
      requireTls: false,
      from: 'bot@mail.example',
      publicWebUrl: 'https://exchange.example',
      pollIntervalMs: 250,
      batchSize: 5,
      sendTimeoutMs: 10_000,
      maxAttempts: 3,
      retryBaseMs: 5_000,
      retryMaxMs: 600_000,
    });
  });

  it('refuses to start in prod without SMTP_URL', () => {
    const problems = problemsOf(() =>
      buildEventRelayConfig({ APP_ENV: 'prod', DATABASE_URL: 'postgresql://db/p', REDIS_URL: 'redis://cache:6379' }),
    ).join('\n');
    expect(problems).toMatch(/SMTP_URL: required when APP_ENV=prod/);
  });

  it('requires STARTTLS on a plain smtp:// connection outside dev and test', () => {
    const deployed = {
      DATABASE_URL: 'postgresql://db/p?sslmode=require',
      REDIS_URL: 'rediss://:pw@cache:6379',
      SMTP_URL: 'smtp://relay:587',
    };
    expect(buildEventRelayConfig({ ...deployed, APP_ENV: 'sandbox' }).mail.requireTls).toBe(true);
    expect(buildEventRelayConfig({ ...deployed, APP_ENV: 'test' }).mail.requireTls).toBe(false);
  });

  it('names bad mail variables without echoing a password', () => {
    const problems = problemsOf(() =>
      buildEventRelayConfig({
        SMTP_URL: 'http://user:hunter2@mail.example',
        MAIL_FROM: 'not an address',
        PUBLIC_WEB_URL: 'ftp://x',
        MAIL_RETRY_BASE: '2h',
        MAIL_RETRY_MAX: '1h',
      }),
    ).join('\n');
    expect(problems).toMatch(/SMTP_URL: expected a URL with scheme smtp:\/\/ or smtps:\/\//);
    expect(problems).toMatch(/MAIL_FROM: expected an address/);
    expect(problems).toMatch(/PUBLIC_WEB_URL: expected a URL with scheme http:\/\/ or https:\/\//);
    expect(problems).toMatch(/MAIL_RETRY_BASE: must be between/);
    expect(problems).not.toContain('hunter2');
  });

  it('refuses a retry cap shorter than the first wait', () => {
    expect(problemsOf(() => buildEventRelayConfig({ MAIL_RETRY_BASE: '10m', MAIL_RETRY_MAX: '1m' })).join('\n')).toMatch(
      /MAIL_RETRY_MAX: must not be shorter than MAIL_RETRY_BASE/,
    );
  });
});

describe('event stream reader configuration', () => {
  it('needs only Redis and the stream name, whatever APP_ENV says', () => {
    const config = buildEventStreamReaderConfig({ APP_ENV: 'prod', REDIS_HOST: 'cache.internal', REDIS_KEY_PREFIX: 'p:' });
    expect(config).toEqual({
      redis: { topology: { kind: 'single', url: 'redis://cache.internal:6379/0' }, tls: false, keyPrefix: 'p:', isLocalDefault: false },
      stream: { name: 'user-service:events', maxLength: 10_000 },
    });
  });

  it('rejects a malformed stream name with the variable named', () => {
    expect(problemsOf(() => buildEventStreamReaderConfig({ EVENTS_STREAM: 'a b' })).join('\n')).toMatch(/EVENTS_STREAM/);
  });
});
