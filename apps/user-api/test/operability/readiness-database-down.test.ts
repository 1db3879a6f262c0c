import { migrateDatabase, PrivatePostgres } from '@pandora/testing';
import { bearer, eventually, expectErrorEnvelope, registerUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * A private PostgreSQL server crashes under a running user-api: readiness must say which
 * dependency is down (so the replica leaves the load balancer and operators see why), answer
 * promptly, and neither it nor the API may answer with a 500 or leak internals.
 */
let pg: PrivatePostgres;
let t: TestUserApi;

beforeAll(async () => {
  pg = await PrivatePostgres.start();
  await migrateDatabase(pg.url);
  t = await startTestUserApi({ env: { DATABASE_URL: pg.url } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await pg?.destroy();
});

async function ready(query = ''): Promise<{ status: number; body: Record<string, unknown>; text: string; ms: number }> {
  const started = Date.now();
  const response = await t.http().get(`/ready${query}`);
  return { status: response.status, body: response.body, text: response.text, ms: Date.now() - started };
}

describe('readiness with the database down', () => {
  it('is 200 with every check up while PostgreSQL runs', async () => {
    const answer = await ready();
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up' } });
  });

  it('turns 503 naming the database as down, promptly, without a stack, and the API answers 503 too', async () => {
    const user = await registerUser(t.http());
    await pg.crash();

    for (const query of ['', '?require=database']) {
      const answer = await ready(query);
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ status: 'not_ready', checks: { database: 'down', redis: 'up' } });
      // A probe that hangs is as bad as one that lies: Kubernetes' timeout would decide instead.
      expect(answer.ms).toBeLessThan(5_000);
      expect(answer.text).not.toMatch(/\bat \S+ \(|prisma|ECONNREFUSED|postgres/i);
    }
    // Redis is fine, so a probe that only requires Redis still passes: the checks are independent.
    expect((await ready('?require=redis')).status).toBe(200);

    const me = await t.http().get('/api/v1/users/me').set(bearer(user.accessToken));
    expect(me.status).toBe(503);
    expectErrorEnvelope(me.body, 'SERVICE_UNAVAILABLE');
    expect(me.text).not.toMatch(/\bat \S+ \(|prisma|ECONNREFUSED|postgres/i);
    expect(t.logs.filter((line) => line.status === 500)).toEqual([]);
  }, 60_000);

  it('is ready again once PostgreSQL is back', async () => {
    await pg.restart();
    await eventually(async () => (await ready()).status === 200, 20_000, 200);
    expect((await ready()).body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up' } });
  }, 60_000);
});
