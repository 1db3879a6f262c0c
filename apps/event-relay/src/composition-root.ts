import { logWaivedTransportRules, type EventRelayConfig } from '@pandora/config';
import {
  checkDatabase,
  checkOutboxReadable,
  checkRedis,
  countUnpublishedOutboxEvents,
  closeRedisClient,
  createRedisClient,
  Database,
  mailQueueStats,
  type RedisClient,
} from '@pandora/data-access';
import { replicaPolicy } from '@pandora/event-stream';
import { SmtpMailSender } from '@pandora/mail';
import { createHttpApp, type HttpApp, type ReadinessProbe } from '@pandora/http-kit';
import { AppMetrics, createLogger, type Logger } from '@pandora/observability';
import { MailCourier } from './mail/mail-courier';
import { MailMetrics } from './mail/mail-metrics';
import { OutboxRelay } from './relay/outbox-relay';
import { RelayMetrics } from './relay/relay-metrics';

export interface EventRelayApp {
  config: EventRelayConfig;
  logger: Logger;
  metrics: AppMetrics;
  relay: OutboxRelay;
  /** Delivers queued mail under its own lease (docs/mail.md). */
  courier: MailCourier;
  /** /health, /ready, /metrics (and /openapi.json, /docs) on METRICS_PORT. */
  httpApp: HttpApp;
  /** Readiness turns 503 from here on. */
  beginShutdown(): void;
  /** Closes the probe pool and the Redis connection (stop the relay and the courier first). */
  close(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 2_000;

/** Builds event-relay from its configuration: Redis, the probe pool, the relay loop, the HTTP listener. */
export function createEventRelay(config: EventRelayConfig, overrides: { logger?: Logger } = {}): EventRelayApp {
  const logger = overrides.logger ?? createLogger({ service: 'event-relay', level: config.logLevel });
  logWaivedTransportRules(config.waivedTransportRules, logger);
  const metrics = new AppMetrics('event-relay');

  const redis: RedisClient = createRedisClient({
    connection: config.redis,
    connectionName: 'event-relay',
    commandTimeoutMs: config.relay.publishTimeoutMs,
  });
  redis.on('error', (error: Error) => logger.warn('redis connection error', { error: error.message }));
  // Not awaited: the relay starts (and reports not ready) while Redis is away, and catches up later.
  redis.connect().catch((error: Error) => logger.warn('redis not reachable at start-up', { error: error.message }));

  // Readiness and the pending-events gauge use their own small pool (DATABASE_URL, a pooler is
  // fine), so that a probe never waits behind (or interferes with) the relay's session. Each probe
  // runs in a transaction: its statement timeout is a SET LOCAL, which survives transaction pooling.
  const probeDb = new Database({
    url: config.database.url,
    poolMax: 2,
    applicationName: 'event-relay:probe',
    transactionTimeoutMs: PROBE_TIMEOUT_MS,
  });

  const relayMetrics = new RelayMetrics(metrics.registry, async () => {
    try {
      return await probeDb.transaction((tx) => countUnpublishedOutboxEvents(tx));
    } catch {
      return null;
    }
  });

  const relay = new OutboxRelay({
    databaseUrl: config.database.directUrl,
    redis,
    stream: { stream: config.stream.name, maxLength: config.stream.maxLength },
    durability: {
      replicasFor: replicaPolicy(config.relay.waitReplicas, config.redis.topology.kind === 'sentinel'),
      timeoutMs: config.relay.waitTimeoutMs,
    },
    settings: { ...config.relay, statementTimeoutMs: 30_000 },
    metrics: relayMetrics,
    logger,
  });

  const courier = new MailCourier({
    databaseUrl: config.database.directUrl,
    sender: new SmtpMailSender({
      url: config.mail.smtpUrl,
      from: config.mail.from,
      sendTimeoutMs: config.mail.sendTimeoutMs,
      requireTls: config.mail.requireTls,
    }),
    settings: {
      batchSize: config.mail.batchSize,
      pollIntervalMs: config.mail.pollIntervalMs,
      sendTimeoutMs: config.mail.sendTimeoutMs,
      maxAttempts: config.mail.maxAttempts,
      retryBaseMs: config.mail.retryBaseMs,
      retryMaxMs: config.mail.retryMaxMs,
      publicWebUrl: config.mail.publicWebUrl,
      leaderRetryIntervalMs: config.relay.leaderRetryIntervalMs,
      maxBackoffMs: config.relay.maxBackoffMs,
      statementTimeoutMs: 30_000,
    },
    metrics: new MailMetrics(metrics.registry, async () => {
      try {
        return await probeDb.transaction((tx) => mailQueueStats(tx));
      } catch {
        return null;
      }
    }),
    logger,
  });

  let shuttingDown = false;
  const probe: ReadinessProbe = {
    checks: {
      // The table the relay reads, not just `SELECT 1`: an unmigrated database is not ready either.
      database: () => checkDatabase(probeDb, PROBE_TIMEOUT_MS, () => probeDb.transaction((tx) => checkOutboxReadable(tx))),
      redis: () => checkRedis(redis, PROBE_TIMEOUT_MS),
    },
    isShuttingDown: () => shuttingDown,
  };

  const httpApp = createHttpApp({
    logger,
    metrics,
    trustProxy: false,
    corsAllowedOrigins: [],
    bodyLimitBytes: 1024,
    hsts: false,
    routes: [],
    probe,
    openApi: {
      title: 'Pandora Exchange user service — event-relay',
      version: '1.0.0',
      description: 'Health, readiness and Prometheus metrics of the outbox relay.',
    },
  });

  return {
    config,
    logger,
    metrics,
    relay,
    courier,
    httpApp,
    beginShutdown: () => {
      shuttingDown = true;
    },
    close: async () => {
      await probeDb.close().catch(() => undefined);
      await closeRedisClient(redis);
    },
  };
}
