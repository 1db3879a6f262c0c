import { z } from 'zod';
import { isDeployedEnv } from './app-env';
import type { Env } from './connection-urls';
import { durationSchema } from './duration';
import { ConfigError, describeIssues } from './config-error';
import { intField, portField, urlField } from './env-fields';
import { redisConnectionFromEnv, type RedisConnectionConfig } from './redis-connection';
import { normalizeEnv, parseEnvironment, redisKeyPrefixField, type SharedConfig } from './shared-config';
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
    /**
     * Replicas that must hold a batch (`WAIT`) before its rows are marked published: a number, or
     * `auto` — one with Sentinel, else one once the master is seen with a replica (docs/events.md).
     */
    waitReplicas: number | 'auto';
    /** How long `WAIT` waits for them; a batch not acknowledged in time is published again later. */
    waitTimeoutMs: number;
  };
  mail: MailCourierConfig;
  /** Names (never values) of the variables that came from Vault. */
  vaultKeys: string[];
}

/** The mail courier inside event-relay (docs/mail.md). */
export interface MailCourierConfig {
  /** SMTP_URL (may hold credentials: never log it); dev/test default: the local mail catcher. */
  smtpUrl: string;
  /** True when SMTP_URL was not set and the local catcher's address is used. */
  usesLocalCatcher: boolean;
  /**
   * Outside dev/test an `smtp://` connection must be upgraded with STARTTLS before anything (the
   * credentials, the links' tokens) is sent; `smtps://` is TLS from the first byte anyway.
   */
  requireTls: boolean;
  from: string;
  /** Origin (and optional base path) of the links in mails. */
  publicWebUrl: string;
  pollIntervalMs: number;
  batchSize: number;
  /** One delivery attempt (connect, greeting, each SMTP step) gives up after this long. */
  sendTimeoutMs: number;
  maxAttempts: number;
  /** The wait after the first failed attempt; it doubles with every further failure, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
}

/** Where `npm start` runs its mail catcher (tools/mail-catcher); the courier's dev/test default. */
export const LOCAL_MAIL_CATCHER_SMTP_URL = 'smtp://127.0.0.1:1025';
export const DEFAULT_MAIL_FROM = 'Pandora Exchange <no-reply@pandora.local>';

/** `Name <address>` or a bare address, on one line (it becomes a header). */
const mailFromField = z
  .string()
  .default(DEFAULT_MAIL_FROM)
  .refine((value) => !/[\r\n]/.test(value) && /^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(value.trim()), {
    message: 'expected an address such as no-reply@example.com or "Name <no-reply@example.com>"',
  });

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
  EVENT_RELAY_WAIT_REPLICAS: z
    .string()
    .default('auto')
    .transform((value, ctx) => {
      if (value.trim().toLowerCase() === 'auto') return 'auto' as const;
      if (!/^\d+$/.test(value.trim()) || Number(value) > 16) {
        ctx.addIssue({ code: 'custom', message: 'expected auto or a number of replicas between 0 and 16' });
        return z.NEVER;
      }
      return Number(value);
    }),
  // Unset: 1 s, or half of EVENT_RELAY_PUBLISH_TIMEOUT when that is shorter.
  EVENT_RELAY_WAIT_TIMEOUT: durationSchema('0ms', { max: '1m' }),
  SMTP_URL: urlField(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: mailFromField,
  PUBLIC_WEB_URL: urlField(['http:', 'https:']).optional(),
  // Only to derive PUBLIC_WEB_URL's default (the public listener's origin) when both apps share an environment.
  SERVER_PORT: z.string().optional(),
  MAIL_POLL_INTERVAL: durationSchema('1s', { min: '10ms', max: '5m' }),
  MAIL_BATCH_SIZE: intField(10, 1, 100),
  MAIL_SEND_TIMEOUT: durationSchema('30s', { min: '100ms', max: '5m' }),
  MAIL_MAX_ATTEMPTS: intField(8, 1, 50),
  MAIL_RETRY_BASE: durationSchema('1m', { min: '10ms', max: '1h' }),
  MAIL_RETRY_MAX: durationSchema('1h', { min: '10ms', max: '24h' }),
};

/** Validates the environment of event-relay. Synchronous: Vault values must already be merged in. */
export function buildEventRelayConfig(rawEnv: Env, vaultKeys: string[] = []): EventRelayConfig {
  const shared = parseEnvironment(
    'event-relay',
    rawEnv,
    eventRelaySchema,
    (env) => [
      ...(env.MAIL_RETRY_MAX < env.MAIL_RETRY_BASE ? ['MAIL_RETRY_MAX: must not be shorter than MAIL_RETRY_BASE'] : []),
      ...(env.EVENT_RELAY_WAIT_TIMEOUT < env.EVENT_RELAY_PUBLISH_TIMEOUT
        ? []
        : [
            'EVENT_RELAY_WAIT_TIMEOUT: must be shorter than EVENT_RELAY_PUBLISH_TIMEOUT (the whole publish, WAIT included, is bounded by it)',
          ]),
    ],
    // Mail that can never leave would silently pile up: outside dev/test the courier needs a real server.
    ['SMTP_URL'],
  );
  const waitTimeoutMs = shared.env.EVENT_RELAY_WAIT_TIMEOUT || Math.min(1_000, Math.floor(shared.env.EVENT_RELAY_PUBLISH_TIMEOUT / 2));
  const { env } = shared;
  const serverPort = env.SERVER_PORT && /^\d+$/.test(env.SERVER_PORT) ? env.SERVER_PORT : '8080';
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
      waitReplicas: env.EVENT_RELAY_WAIT_REPLICAS,
      waitTimeoutMs,
    },
    mail: {
      smtpUrl: env.SMTP_URL ?? LOCAL_MAIL_CATCHER_SMTP_URL,
      usesLocalCatcher: env.SMTP_URL === undefined,
      requireTls: isDeployedEnv(shared.appEnv),
      from: env.MAIL_FROM.trim(),
      publicWebUrl: (env.PUBLIC_WEB_URL ?? `http://localhost:${serverPort}`).replace(/\/+$/, ''),
      pollIntervalMs: env.MAIL_POLL_INTERVAL,
      batchSize: env.MAIL_BATCH_SIZE,
      sendTimeoutMs: env.MAIL_SEND_TIMEOUT,
      maxAttempts: env.MAIL_MAX_ATTEMPTS,
      retryBaseMs: env.MAIL_RETRY_BASE,
      retryMaxMs: env.MAIL_RETRY_MAX,
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
  redis: RedisConnectionConfig;
  stream: EventStreamConfig;
}

const readerSchema = z.object({
  // Same rule as the apps' (shared-config.ts): the tail must see the keys the relay writes.
  REDIS_KEY_PREFIX: redisKeyPrefixField(),
  ...streamSchema,
});

export function buildEventStreamReaderConfig(rawEnv: Env): EventStreamReaderConfig {
  const env = normalizeEnv(rawEnv);
  const parsed = readerSchema.safeParse(env);
  const problems = parsed.success ? [] : describeIssues(parsed.error.issues, env);
  const redis = redisConnectionFromEnv(env, parsed.data?.REDIS_KEY_PREFIX ?? '');
  problems.push(...redis.problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems, 'events-tail');
  const data = parsed.data;
  return {
    redis: redis.connection,
    stream: { name: data.EVENTS_STREAM, maxLength: data.EVENTS_STREAM_MAXLEN },
  };
}
