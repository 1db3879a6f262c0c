import { randomUUID } from 'node:crypto';
import type { Logger } from '@pandora/observability';
import type { TestRedis } from '@pandora/testing';
import Redis from 'ioredis';
import type { OutgoingEvent } from '../src';

/** A connected client of the suite's Redis, keys under the suite's prefix (as the apps make them). */
export async function connectClient(redis: Pick<TestRedis, 'url' | 'keyPrefix'>, name = 'event-stream-tests'): Promise<Redis> {
  // The apps' client settings (data-access createRedisClient): fail fast while Redis is away.
  const client = new Redis(redis.url, {
    keyPrefix: redis.keyPrefix,
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 3_000),
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export function registeredEvent(overrides: Partial<OutgoingEvent> = {}): OutgoingEvent {
  const userId = randomUUID();
  return {
    eventId: randomUUID(),
    eventType: 'user.registered',
    userId,
    occurredAt: new Date(),
    payload: { email: `${userId.slice(0, 8)}@example.com`, first_name: 'Ada', last_name: 'Lovelace', role: 'user' },
    metadata: { request_id: `req-${userId.slice(0, 8)}`, actor_id: userId, actor_type: 'user' },
    ...overrides,
  };
}

export interface CapturedLog {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps lines in memory, so tests can assert on what the consumer reported. */
export function memoryLogger(): Pick<Logger, 'info' | 'warn' | 'error'> & { lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, info: write('info'), warn: write('warn'), error: write('error') };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
