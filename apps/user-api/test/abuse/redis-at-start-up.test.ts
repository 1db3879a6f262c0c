import net from 'node:net';
import { freePort } from '@pandora/testing';
import { STRONG_PASSWORD, uniqueEmail } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * A replica that has just started must not answer its first requests as if Redis were down
 * (limits failing open, Idempotency-Key requests refused) merely because its connection was still
 * being opened — but a Redis that is really away must not stop it from starting either.
 */

/** A TCP proxy to the suite's Redis that lets each new connection through only after `delayMs`. */
async function slowToConnectProxy(target: URL, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.pause();
    setTimeout(() => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname, () => {
        client.pipe(upstream).pipe(client);
        client.resume();
      });
      sockets.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.on('error', end).on('close', end);
      client.on('error', end).on('close', end);
    }, delayMs);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = new URL(target.toString());
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const registration = () => ({ email: uniqueEmail('first'), password: STRONG_PASSWORD, first_name: 'First', last_name: 'Request' });

describe('Redis at start-up', () => {
  let proxy: Awaited<ReturnType<typeof slowToConnectProxy>>;
  let t: TestUserApi;
  afterEach(async () => {
    await t?.stop();
    await proxy?.close();
  });

  it('waits for a slow Redis connection before serving, so the first keyed request is not refused', async () => {
    proxy = await slowToConnectProxy(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0'), 700);
    t = await startTestUserApi({ env: { REDIS_URL: proxy.url, RATE_LIMIT_ENABLED: 'true' } });

    const first = await t.http().post('/api/v1/auth/register').set('Idempotency-Key', 'first-request-after-start').send(registration());
    expect(first.status).toBe(201);
    expect(first.headers['ratelimit-limit']).toBeDefined();
    expect(t.logs.filter((line) => line.message === 'redis unavailable; degraded decision')).toEqual([]);
  });

  it('still starts, within the connect timeout, when Redis is not there at all', async () => {
    const closedPort = await freePort();
    const started = Date.now();
    t = await startTestUserApi({ env: { REDIS_URL: `redis://127.0.0.1:${closedPort}/0`, RATE_LIMIT_ENABLED: 'true' } });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(t.logs.some((line) => line.message === 'redis not reachable at start-up')).toBe(true);
    // Served without Redis: limits fail open (no RateLimit headers), the account is created.
    const response = await t.http().post('/api/v1/auth/register').send(registration());
    expect(response.status).toBe(201);
    expect(response.headers['ratelimit-limit']).toBeUndefined();
  });
});
