/**
 * DATABASE_URL / REDIS_URL, or the original service's split variables (DB_HOST, DB_PORT, DB_USER,
 * DB_PASSWORD, DB_NAME, DB_SSLMODE; REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB).
 * A URL wins over the split form. `null` means nothing was configured (the caller decides whether a
 * local default is acceptable).
 */
export type Env = Record<string, string | undefined>;

export const LOCAL_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/pandora';
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379/0';

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

export function databaseUrlFromEnv(env: Env): string | null {
  const url = nonEmpty(env.DATABASE_URL);
  if (url) return url;
  const host = nonEmpty(env.DB_HOST);
  if (!host) return null;
  const user = encodeURIComponent(nonEmpty(env.DB_USER) ?? 'postgres');
  const password = nonEmpty(env.DB_PASSWORD);
  const auth = password ? `${user}:${encodeURIComponent(password)}` : user;
  const port = nonEmpty(env.DB_PORT) ?? '5432';
  const name = encodeURIComponent(nonEmpty(env.DB_NAME) ?? 'pandora');
  const sslmode = nonEmpty(env.DB_SSLMODE);
  return `postgresql://${auth}@${host}:${port}/${name}${sslmode ? `?sslmode=${encodeURIComponent(sslmode)}` : ''}`;
}

/**
 * DATABASE_DIRECT_URL, else the DATABASE_URL one: what needs a PostgreSQL session of its own
 * (migrations, advisory locks, LISTEN) connects there, past any transaction pooler.
 */
export function directDatabaseUrlFromEnv(env: Env): string | null {
  return nonEmpty(env.DATABASE_DIRECT_URL) ?? databaseUrlFromEnv(env);
}

export function redisUrlFromEnv(env: Env): string | null {
  const url = nonEmpty(env.REDIS_URL);
  if (url) return url;
  const host = nonEmpty(env.REDIS_HOST);
  if (!host) return null;
  const password = nonEmpty(env.REDIS_PASSWORD);
  const port = nonEmpty(env.REDIS_PORT) ?? '6379';
  const db = nonEmpty(env.REDIS_DB) ?? '0';
  return `redis://${password ? `:${encodeURIComponent(password)}@` : ''}${host}:${port}/${db}`;
}

/** The URL with its password replaced, for log lines and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
