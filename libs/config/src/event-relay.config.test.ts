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
