import { createTestDatabase, withPgClient, type TestDatabase } from '@pandora/testing';
import { tryAcquireAdvisoryLock, type AdvisoryLockKey } from '../src';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const KEY: AdvisoryLockKey = { pair: [1_346_457_156, 42] };

async function acquire(applicationName: string) {
  return tryAcquireAdvisoryLock({ url: db.url, key: KEY, applicationName });
}

describe('a session-level advisory lock', () => {
  it('is held by one session at a time; the other is told who holds it and gets it after the release', async () => {
    const first = await acquire('lock-test-first');
    if (!first.acquired) throw new Error('the first attempt must get the lock');

    const second = await acquire('lock-test-second');
    expect(second.acquired).toBe(false);
    if (second.acquired) return;
    expect(second.holder).toEqual(
      expect.objectContaining({ applicationName: 'lock-test-first', pid: expect.any(Number), backendStart: expect.any(Date) }),
    );

    await first.lock.release();
    expect(first.lock.isHeld()).toBe(false);
    const third = await acquire('lock-test-third');
    expect(third.acquired).toBe(true);
    if (third.acquired) await third.lock.release();
  });

  it('dies with its session: the holder is told when its connection is killed, and another run can take it', async () => {
    const first = await acquire('lock-test-doomed');
    if (!first.acquired) throw new Error('the first attempt must get the lock');
    const lost = new Promise<Error>((resolve) => first.lock.onLost(resolve));

    await withPgClient(db.url, (client) =>
      client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock-test-doomed'"),
    );

    expect((await lost).message).toMatch(/terminat|closed|Connection/i);
    expect(first.lock.isHeld()).toBe(false);
    const next = await acquire('lock-test-next');
    expect(next.acquired).toBe(true);
    if (next.acquired) await next.lock.release();
    await first.lock.release();
  });
});
