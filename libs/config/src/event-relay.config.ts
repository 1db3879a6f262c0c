import { z } from 'zod';
import type { Env } from './connection-urls';
import { durationSchema } from './duration';
import { ConfigError, describeIssues } from './config-error';
import { LOCAL_REDIS_URL, redisUrlFromEnv } from './connection-urls';
import { intField, portField, urlField } from './env-fields';
import { normalizeEnv, parseEnvironment, type SharedConfig } from './shared-config';
import { withVaultSecrets } from './vault';

/** The Redis stream of docs/events.md and its approximate length cap (`XADD … MAXLEN ~ n`). */
export interface EventStreamConfig {
  name: string;
  maxLength: number;
}

export interface EventRelayConfig extends SharedConfig {
  service: 'event-relay';
  http: { host: string; metricsPort: number; shutdownTimeoutMs: number };
  stream: EventStreamConfig;
  relay: {
    /** Outbox rows read and XADDed (one MULTI/EXEC) per round trip. */
    batchSize: number;
    /** Polling fallback: how long the leader waits for a NOTIFY before looking anyway. */
    pollIntervalMs: number;
    /** How often a standby replica tries to take the leader lease. */
    leaderRetryIntervalMs: number;
    /** Cap of the exponential backoff while PostgreSQL or Redis is unavailable. */
    maxBackoffMs: number;
    /** A publish Redis has not answered within this counts as failed (it is retried). */
    publishTimeoutMs: number;
    /** The leader hands the lease over after Redis failed for this long (another replica may reach it). */
    leaderYieldAfterMs: number;
  };
  /** Names (never values) of the variables that came from Vault. */
  vaultKeys: string[];
}

/**
 * A stream name is a Redis key (the key prefix is added by the client); keep it printable and
 * free of spaces so that it can be written in a runbook command unquoted.
 */
const streamName = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9:._{}-]+$/, 'expected a Redis key of [A-Za-z0-9:._{}-]')
  .default('user-service:events');

const streamSchema = {
  EVENTS_STREAM: streamName,
  EVENTS_STREAM_MAXLEN: intField(10_000, 100, 100_000_000),
};

const eventRelaySchema = {
  ...streamSchema,
  HOST: z.string().default('0.0.0.0'),
  METRICS_PORT: portField(9465),
  SHUTDOWN_TIMEOUT: durationSchema('10s', { max: '5m' }),
  EVENT_RELAY_BATCH_SIZE: intField(500, 1, 10_000),
  EVENT_RELAY_POLL_INTERVAL: durationSchema('1s', { min: '10ms', max: '5m' }),
  EVENT_RELAY_LEADER_RETRY_INTERVAL: durationSchema('2s', { min: '100ms', max: '5m' }),
  EVENT_RELAY_MAX_BACKOFF: durationSchema('10s', { min: '100ms', max: '5m' }),
  EVENT_RELAY_PUBLISH_TIMEOUT: durationSchema('5s', { min: '100ms', max: '5m' }),
  EVENT_RELAY_LEADER_YIELD_AFTER: durationSchema('30s', { min: '1s', max: '1h' }),
};

/** Validates the environment of event-relay. Synchronous: Vault values must already be merged in. */
export function buildEventRelayConfig(rawEnv: Env, vaultKeys: string[] = []): EventRelayConfig {
  const shared = parseEnvironment('event-relay', rawEnv, eventRelaySchema);
  const { env } = shared;
  return {
    service: 'event-relay',
    appEnv: shared.appEnv,
    logLevel: shared.logLevel,
    database: shared.database,
    waivedTransportRules: shared.waivedTransportRules,
    redis: shared.redis,
    http: { host: env.HOST, metricsPort: env.METRICS_PORT, shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT },
    stream: { name: env.EVENTS_STREAM, maxLength: env.EVENTS_STREAM_MAXLEN },
    relay: {
      batchSize: env.EVENT_RELAY_BATCH_SIZE,
      pollIntervalMs: env.EVENT_RELAY_POLL_INTERVAL,
      leaderRetryIntervalMs: env.EVENT_RELAY_LEADER_RETRY_INTERVAL,
      maxBackoffMs: env.EVENT_RELAY_MAX_BACKOFF,
      publishTimeoutMs: env.EVENT_RELAY_PUBLISH_TIMEOUT,
      leaderYieldAfterMs: env.EVENT_RELAY_LEADER_YIELD_AFTER,
    },
    vaultKeys,
  };
}

/** Reads Vault when enabled, then validates. The entry point calls this at start-up. */
export async function loadEventRelayConfig(rawEnv: Env = process.env, fetchImpl: typeof fetch = fetch): Promise<EventRelayConfig> {
  const { env, vaultKeys } = await withVaultSecrets(rawEnv, fetchImpl);
  return buildEventRelayConfig(env, vaultKeys);
}

/** What a stream reader (`npm run events:tail`) needs: Redis and the stream's name, nothing else. */
export interface EventStreamReaderConfig {
  redis: { url: string; keyPrefix: string };
  stream: EventStreamConfig;
}

const readerSchema = z.object({
  REDIS_URL: urlField(['redis:', 'rediss:']),
  // Same rule as the apps' (shared-config.ts): the tail must see the keys the relay writes.
  REDIS_KEY_PREFIX: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9:._-]*$/, 'only [A-Za-z0-9:._-] allowed')
    .default(''),
  ...streamSchema,
});

export function buildEventStreamReaderConfig(rawEnv: Env): EventStreamReaderConfig {
  const env = normalizeEnv(rawEnv);
  const withUrl: Env = { ...env, REDIS_URL: redisUrlFromEnv(env) ?? LOCAL_REDIS_URL };
  const parsed = readerSchema.safeParse(withUrl);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, withUrl), 'events-tail');
  const data = parsed.data;
  return {
    redis: { url: data.REDIS_URL, keyPrefix: data.REDIS_KEY_PREFIX },
    stream: { name: data.EVENTS_STREAM, maxLength: data.EVENTS_STREAM_MAXLEN },
  };
}
