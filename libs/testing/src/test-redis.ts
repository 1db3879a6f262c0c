import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { readInfrastructure } from './test-infrastructure';

export interface TestRedis {
  url: string;
  /** Every key the suite's apps write starts with this. */
  keyPrefix: string;
  /** A client without the prefix, for assertions on raw keys. */
  raw: Redis;
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const infra = readInfrastructure();
  const keyPrefix = `test:${infra.runId}:${randomBytes(4).toString('hex')}:`;
  const raw = new Redis(infra.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await raw.connect();
  return {
    url: infra.redisUrl,
    keyPrefix,
    raw,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await raw.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
        if (keys.length > 0) await raw.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      // QUIT closes the socket cleanly; disconnect() would hold the process ~2 s on its timer.
      await raw.quit();
    },
  };
}
