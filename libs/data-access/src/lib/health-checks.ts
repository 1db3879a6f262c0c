import type Redis from 'ioredis';
import type { Queryable } from './sql/database';

export type CheckStatus = 'up' | 'down';

async function withTimeout(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** `probe` (default `SELECT 1`) answered within `timeoutMs`. */
export function checkDatabase(
  db: Queryable,
  timeoutMs: number,
  probe: (db: Queryable) => Promise<unknown> = (target) => target.query('SELECT 1'),
): Promise<CheckStatus> {
  return withTimeout(() => probe(db), timeoutMs);
}

export function checkRedis(redis: Redis, timeoutMs: number): Promise<CheckStatus> {
  return withTimeout(() => redis.ping(), timeoutMs);
}
