import { ConfigError } from './config-error';
import { buildEventRelayConfig, buildEventStreamReaderConfig } from './event-relay.config';
import { describeRedis, redisPasswordSet } from './redis-connection';

function problemsOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const relay = (env: Record<string, string>) => buildEventRelayConfig({ APP_ENV: 'test', ...env });

describe('Redis topologies', () => {
  it('takes one node from REDIS_URL, with TLS implied by rediss://', () => {
    const config = relay({ REDIS_URL: 'rediss://:pw@cache.internal:6380/0' });
    expect(config.redis.topology).toEqual({ kind: 'single', url: 'rediss://:pw@cache.internal:6380/0' });
    expect(config.redis.tls).toBe(true);
    expect(redisPasswordSet(config.redis)).toBe(true);
    expect(describeRedis(config.redis)).not.toContain('pw');
  });

  it('takes Sentinel from REDIS_SENTINELS and REDIS_SENTINEL_MASTER, with both passwords and TLS', () => {
    const config = relay({
      REDIS_SENTINELS: 'sentinel-0.redis:26379, sentinel-1.redis, [::1]:26380',
      REDIS_SENTINEL_MASTER: 'pandora',
      REDIS_USERNAME: 'user-service',
      REDIS_PASSWORD: 'data-secret',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_TLS: 'true',
    });
    expect(config.redis).toMatchObject({
      topology: {
        kind: 'sentinel',
        masterName: 'pandora',
        sentinels: [
          { host: 'sentinel-0.redis', port: 26379 },
          { host: 'sentinel-1.redis', port: 26379 },
          { host: '::1', port: 26380 },
        ],
      },
      username: 'user-service',
      password: 'data-secret',
      sentinelPassword: 'sentinel-secret',
      tls: true,
    });
    expect(describeRedis(config.redis)).toBe('sentinel pandora via sentinel-0.redis:26379,sentinel-1.redis:26379,[::1]:26380');
  });

  it('takes Cluster seed nodes from REDIS_CLUSTER_NODES', () => {
    const config = relay({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001', REDIS_PASSWORD: 'pw' });
    expect(config.redis.topology).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    expect(redisPasswordSet(config.redis)).toBe(true);
  });

  it('refuses two topologies at once, naming both variables', () => {
    expect(problemsOf(() => relay({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' }))).toMatch(
      /REDIS_URL, REDIS_CLUSTER_NODES: set exactly one Redis topology/,
    );
    expect(problemsOf(() => relay({ REDIS_SENTINELS: 'a', REDIS_SENTINEL_MASTER: 'm', REDIS_CLUSTER_NODES: 'b' }))).toMatch(
      /REDIS_SENTINELS, REDIS_CLUSTER_NODES: set exactly one/,
    );
  });

  it('refuses Sentinel without a master name, and a master name without sentinels', () => {
    expect(problemsOf(() => relay({ REDIS_SENTINELS: 'a:26379' }))).toMatch(/REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS/);
    expect(problemsOf(() => relay({ REDIS_SENTINEL_MASTER: 'pandora' }))).toMatch(
      /REDIS_SENTINEL_MASTER: only meaningful with REDIS_SENTINELS/,
    );
  });

  it('names the variable of a malformed node list, a bad REDIS_TLS and a sentinel URL', () => {
    expect(problemsOf(() => relay({ REDIS_CLUSTER_NODES: 'a:7000,b:99999' }))).toMatch(/REDIS_CLUSTER_NODES: "b:99999" is not host:port/);
    expect(problemsOf(() => relay({ REDIS_SENTINELS: 'a b', REDIS_SENTINEL_MASTER: 'm' }))).toMatch(
      /REDIS_SENTINELS: "a b" is not host:port/,
    );
    expect(problemsOf(() => relay({ REDIS_TLS: 'maybe' }))).toMatch(/REDIS_TLS: expected true or false/);
    expect(problemsOf(() => relay({ REDIS_URL: 'rediss://a:6379', REDIS_TLS: 'false' }))).toMatch(/REDIS_TLS: false contradicts/);
    const sentinelUrl = problemsOf(() => relay({ REDIS_URL: 'redis+sentinel://:hunter2@a:26379/m' }));
    expect(sentinelUrl).toMatch(/REDIS_URL: expected a URL with scheme redis:\/\/ or rediss:\/\/.*REDIS_SENTINELS/);
    expect(sentinelUrl).not.toContain('hunter2');
  });

  it('accepts Sentinel or Cluster as the configured Redis in prod', () => {
    const problems = problemsOf(() => buildEventRelayConfig({ APP_ENV: 'prod', REDIS_CLUSTER_NODES: 'a:7000' }));
    expect(problems).not.toMatch(/REDIS_URL/);
  });

  it('gives the events tail the same topology as the apps', () => {
    const config = buildEventStreamReaderConfig({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_KEY_PREFIX: 'p:' });
    expect(config.redis.topology).toEqual({ kind: 'cluster', nodes: [{ host: 'a', port: 7000 }] });
    expect(config.redis.keyPrefix).toBe('p:');
  });
});

describe('durable publishing settings', () => {
  it('waits for replicas automatically, one second at most, unless told otherwise', () => {
    expect(relay({}).relay).toMatchObject({ waitReplicas: 'auto', waitTimeoutMs: 1_000 });
    expect(relay({ EVENT_RELAY_PUBLISH_TIMEOUT: '1s' }).relay).toMatchObject({ waitTimeoutMs: 500 });
    expect(relay({ EVENT_RELAY_WAIT_REPLICAS: '0', EVENT_RELAY_WAIT_TIMEOUT: '250ms' }).relay).toMatchObject({
      waitReplicas: 0,
      waitTimeoutMs: 250,
    });
  });

  it('refuses a replica count that is not a number and a WAIT longer than the publish timeout', () => {
    expect(problemsOf(() => relay({ EVENT_RELAY_WAIT_REPLICAS: 'all' }))).toMatch(/EVENT_RELAY_WAIT_REPLICAS: expected auto or a number/);
    expect(problemsOf(() => relay({ EVENT_RELAY_WAIT_TIMEOUT: '5s' }))).toMatch(
      /EVENT_RELAY_WAIT_TIMEOUT: must be shorter than EVENT_RELAY_PUBLISH_TIMEOUT/,
    );
  });
});
