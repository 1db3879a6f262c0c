import { createTestDatabase, createTestRedis, withPgClient, type TestDatabase, type TestRedis } from '@pandora/testing';
import pg from 'pg';
import request from 'supertest';
import { startUserApiProcess } from '../support/app-process';
import { bearer, eventually, STRONG_PASSWORD, uniqueEmail } from '../support/fixtures';

let db: TestDatabase;
let redis: TestRedis;
beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
  await db.drop();
});

describe('graceful shutdown', () => {
  it('on SIGTERM turns readiness 503, lets the slow request in flight finish, closes everything and exits 0', async () => {
    const app = await startUserApiProcess({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      SHUTDOWN_DELAY: '1s',
      SHUTDOWN_TIMEOUT: '10s',
    });
    const registered = await request(app.publicUrl)
      .post('/api/v1/auth/register')
      .send({ email: uniqueEmail('drain'), password: STRONG_PASSWORD, first_name: 'Slow', last_name: 'Request' });
    expect(registered.status).toBe(201);

    // Hold the user's row: the PATCH below has to wait for it, so it is in flight during shutdown.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [registered.body.user.id]);

    const slow = request(app.publicUrl)
      .patch('/api/v1/users/me')
      .set(bearer(registered.body.access_token))
      .send({ first_name: 'Finished' })
      .then((r) => r);
    // In flight: the PATCH's query waits for the row lock.
    await eventually(async () => {
      const waiting = await withPgClient(db.url, (client) =>
        client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'user-api' AND wait_event_type = 'Lock'",
        ),
      );
      return (waiting.rows[0]?.n ?? 0) > 0;
    }, 10_000);
    app.child.kill('SIGTERM');
    let ready: request.Response | undefined;
    await eventually(async () => (ready = await request(app.publicUrl).get('/ready')).status === 503, 10_000);
    expect(ready?.status).toBe(503);
    expect(ready?.body.status).toBe('shutting_down');

    // Past SHUTDOWN_DELAY the listeners close, while the request is still waiting.
    await eventually(
      () =>
        request(app.publicUrl)
          .get('/health')
          .then(
            () => false,
            () => true,
          ),
      10_000,
    );
    await expect(request(app.publicUrl).get('/health')).rejects.toThrow();
    await blocker.query('COMMIT');
    await blocker.end();

    const finished = await slow;
    expect(finished.status).toBe(200);
    expect(finished.body.first_name).toBe('Finished');
    expect(await app.exit).toBe(0);
    expect(app.output()).toContain('"message":"user-api stopped"');
    const connections = await withPgClient(db.url, (client) =>
      client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'user-api'",
      ),
    );
    expect(connections.rows[0]?.n).toBe(0);
  }, 60_000);
});
