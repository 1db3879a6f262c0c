import { z } from 'zod';
import { APP_ENV_DEFAULTS, appEnvSchema, isDeployedEnv, LOG_LEVELS, type AppEnv, type LogLevel } from './app-env';
import { ConfigError, describeIssues } from './config-error';
import { databaseUrlFromEnv, LOCAL_DATABASE_URL, type Env } from './connection-urls';
import { boolField, intField, urlField } from './env-fields';
import { durationSchema } from './duration';
import { databaseTransportFinding, judgeProductionTransport, redisTransportFinding, type TransportFinding } from './production-transport';
import { redisConnectionFromEnv, redisPasswordSet, type RedisConnectionConfig } from './redis-connection';

/** Settings every app shares: environment, logging, PostgreSQL and Redis. */
export interface SharedConfig {
  appEnv: AppEnv;
  logLevel: LogLevel;
  database: {
    /** DATABASE_URL: the pool's connections; may point at a transaction-pooling PgBouncer. */
    url: string;
    /**
     * DATABASE_DIRECT_URL (default: DATABASE_URL): PostgreSQL itself, for what needs a session of
     * its own — the relay's leader lease and LISTEN, the cleanup worker's lock, migrations.
     */
    directUrl: string;
    poolMax: number;
    isLocalDefault: boolean;
  };
  /** One node, Sentinel or Cluster (redis-connection.ts), with credentials, TLS and the key prefix. */
  redis: RedisConnectionConfig;
  /**
   * Production transport rules that ALLOW_INSECURE_PRIVATE_NETWORK waived: the app logs them once at
   * start-up (logWaivedTransportRules). Empty outside prod and without the override.
   */
  waivedTransportRules: TransportFinding[];
}

/**
 * Prepended to every key. No braces: a prefix must never become (part of) a Redis Cluster hash
 * tag, or it would move keys that are tagged to share a slot apart.
 */
export function redisKeyPrefixField() {
  return z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9:._-]*$/, 'only [A-Za-z0-9:._-] allowed')
    .default('');
}

/**
 * READ_CACHE_TTL of the apps that authenticate or look up users on every request (user-api,
 * user-grpc): how long a process keeps a user or session it read while no change of it is announced.
 * Changes reach every process within 1 s whatever the value (docs/caching.md); 0 turns the cache off.
 */
export function readCacheTtlField() {
  return durationSchema('30s', { max: '1h' });
}

/**
 * Variables that were once read and are not any more, with what replaced them: a deployment that
 * still sets one is stopped with a message, rather than silently running without its setting.
 */
const REMOVED_VARIABLES = new Map([
  [
    'SESSION_CACHE_TTL',
    'READ_CACHE_TTL replaced it (users and sessions are cached with change notifications: a revocation reaches every process within 1 s whatever the TTL; docs/caching.md)',
  ],
]);

/** Empty variables count as unset, as they do for most twelve-factor tools. */
export function normalizeEnv(env: Env): Env {
  const result: Env = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') result[key] = value;
  return result;
}

const sharedSchema = z.object({
  APP_ENV: appEnvSchema,
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  DATABASE_URL: urlField(['postgresql:', 'postgres:']),
  DATABASE_DIRECT_URL: urlField(['postgresql:', 'postgres:']).optional(),
  DATABASE_POOL_MAX: intField(10, 1, 200),
  REDIS_KEY_PREFIX: redisKeyPrefixField(),
  ALLOW_INSECURE_PRIVATE_NETWORK: boolField(false),
});

/**
 * Parses a zod object schema over the environment and throws one ConfigError listing every
 * problem. `extend` adds the app's own variables to the shared ones.
 */
export function parseEnvironment<T extends z.ZodRawShape>(
  service: string,
  rawEnv: Env,
  extend: T,
  /** The app's own cross-field rules, run when every variable parsed; returns problems. */
  check: (env: z.infer<z.ZodObject<T>>, appEnv: AppEnv) => string[] = () => [],
  /** Secrets the app cannot run without outside dev/test (checked even when other variables are bad). */
  requiredWhenDeployed: string[] = [],
  /** `usesRedis: false` for apps that never connect to Redis: no Redis variable is then required or checked. */
  options: {
    usesRedis?: boolean;
    /** The app's own production transport rules (production-transport.ts), judged with the shared ones. */
    transport?: (env: z.infer<z.ZodObject<T>>) => Array<TransportFinding | null>;
  } = {},
): SharedConfig & { env: z.infer<z.ZodObject<T>> } {
  const env = normalizeEnv(rawEnv);
  const databaseUrl = databaseUrlFromEnv(env);
  const withUrls: Env = { ...env, DATABASE_URL: databaseUrl ?? LOCAL_DATABASE_URL };

  const schema = sharedSchema.extend(extend);
  const parsed = schema.safeParse(withUrls);
  const problems = parsed.success ? [] : describeIssues(parsed.error.issues, withUrls);
  for (const [name, replacement] of REMOVED_VARIABLES)
    if (env[name] !== undefined) problems.push(`${name}: no longer read; ${replacement}`);
  const usesRedis = options.usesRedis !== false;
  const redis = redisConnectionFromEnv(env, parsed.success ? (parsed.data as { REDIS_KEY_PREFIX: string }).REDIS_KEY_PREFIX : '');
  if (usesRedis) problems.push(...redis.problems);

  const appEnv: AppEnv =
    (parsed.success ? (parsed.data as { APP_ENV: AppEnv }).APP_ENV : appEnvSchema.safeParse(env.APP_ENV).data) ?? 'dev';
  if (isDeployedEnv(appEnv)) {
    if (databaseUrl === null) problems.push(`DATABASE_URL: required when APP_ENV=${appEnv} (the local default is for development only)`);
    if (!redis.configured && usesRedis)
      problems.push(
        `REDIS_URL: required when APP_ENV=${appEnv} (or REDIS_SENTINELS + REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES; the local default is for development only)`,
      );
    for (const variable of requiredWhenDeployed) {
      if (env[variable] === undefined) problems.push(`${variable}: required when APP_ENV=${appEnv} (it is not set)`);
    }
  }
  let waivedTransportRules: TransportFinding[] = [];
  if (parsed.success) {
    const appData = parsed.data as z.infer<z.ZodObject<T>>;
    problems.push(...check(appData, appEnv));
    const shared = parsed.data as z.infer<typeof sharedSchema>;
    const transport = judgeProductionTransport(
      appEnv,
      [
        ...sharedTransportFindings(env, shared, usesRedis && redis.configured ? redis.connection : null),
        ...(options.transport?.(appData) ?? []),
      ],
      shared.ALLOW_INSECURE_PRIVATE_NETWORK,
    );
    problems.push(...transport.problems);
    waivedTransportRules = transport.waived;
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems, service);

  const data = parsed.data as z.infer<typeof sharedSchema> & z.infer<z.ZodObject<T>>;
  return {
    appEnv: data.APP_ENV,
    logLevel: data.LOG_LEVEL ?? APP_ENV_DEFAULTS[data.APP_ENV].logLevel,
    database: {
      url: data.DATABASE_URL,
      directUrl: data.DATABASE_DIRECT_URL ?? data.DATABASE_URL,
      poolMax: data.DATABASE_POOL_MAX,
      isLocalDefault: databaseUrl === null,
    },
    redis: redis.connection,
    waivedTransportRules,
    env: data,
  };
}

/** The variable that chose the Redis topology, for the transport rule's message. */
function redisVariableOf(env: Env, redis: RedisConnectionConfig): string {
  switch (redis.topology.kind) {
    case 'single':
      return env.REDIS_URL !== undefined ? 'REDIS_URL' : 'REDIS_HOST';
    case 'sentinel':
      return 'REDIS_SENTINELS';
    case 'cluster':
      return 'REDIS_CLUSTER_NODES';
  }
}

/** PostgreSQL (both URLs) and, for apps that use it, Redis; named by the variable that was set. */
function sharedTransportFindings(
  env: Env,
  parsed: z.infer<typeof sharedSchema>,
  /** The configured Redis of an app that uses it (null: none, or only the local default). */
  redis: RedisConnectionConfig | null,
): Array<TransportFinding | null> {
  // Nothing configured is reported as required already; the local defaults are not judged again.
  const databaseSet = databaseUrlFromEnv(env) !== null;
  return [
    databaseSet ? databaseTransportFinding(env.DATABASE_URL !== undefined ? 'DATABASE_URL' : 'DB_SSLMODE', parsed.DATABASE_URL) : null,
    parsed.DATABASE_DIRECT_URL === undefined ? null : databaseTransportFinding('DATABASE_DIRECT_URL', parsed.DATABASE_DIRECT_URL),
    redis === null ? null : redisTransportFinding(redisVariableOf(env, redis), { tls: redis.tls, passwordSet: redisPasswordSet(redis) }),
  ];
}
