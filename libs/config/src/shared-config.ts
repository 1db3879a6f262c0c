import { z } from 'zod';
import { APP_ENV_DEFAULTS, appEnvSchema, isDeployedEnv, LOG_LEVELS, type AppEnv, type LogLevel } from './app-env';
import { ConfigError, describeIssues } from './config-error';
import { databaseUrlFromEnv, LOCAL_DATABASE_URL, type Env } from './connection-urls';
import { intField, urlField } from './env-fields';
import { redisConnectionFromEnv, type RedisConnectionConfig } from './redis-connection';

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
  options: { usesRedis?: boolean } = {},
): SharedConfig & { env: z.infer<z.ZodObject<T>> } {
  const env = normalizeEnv(rawEnv);
  const databaseUrl = databaseUrlFromEnv(env);
  const withUrls: Env = { ...env, DATABASE_URL: databaseUrl ?? LOCAL_DATABASE_URL };

  const schema = sharedSchema.extend(extend);
  const parsed = schema.safeParse(withUrls);
  const problems = parsed.success ? [] : describeIssues(parsed.error.issues, withUrls);
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
  if (parsed.success) problems.push(...check(parsed.data as z.infer<z.ZodObject<T>>, appEnv));
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
    env: data,
  };
}
