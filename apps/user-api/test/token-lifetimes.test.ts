import type { Clock } from '@pandora/domain';
import { registerUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

/**
 * `expires_in` / `refresh_expires_in` are the configured lifetimes of the tokens just issued, not
 * "until expiry, measured a few milliseconds later" (which reported 604799 for 604800). The clock
 * moves 1 ms each time it is read, as real time does while a request runs, so a lifetime computed
 * from two readings would show it.
 */
let readings = 0;
const ticking: Clock = { now: () => new Date(Date.now() + readings++) };

describe.each([
  ['the defaults', {}, 604_800],
  ['JWT_REFRESH_TOKEN_EXPIRY=1h', { JWT_REFRESH_TOKEN_EXPIRY: '1h' }, 3_600],
])('with %s', (_case, env: Record<string, string>, lifetime) => {
  let t: TestUserApi;
  beforeAll(async () => {
    t = await startTestUserApi({ env, clock: ticking });
  });
  afterAll(() => t.stop());

  it(`reports refresh_expires_in ${lifetime} at registration, login and refresh`, async () => {
    const registered = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ email: `lifetimes.${Date.now()}@example.com`, password: 'correct horse battery staple', first_name: 'L', last_name: 'T' });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ expires_in: 900, refresh_expires_in: lifetime });

    const user = await registerUser(t.http());
    const login = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ expires_in: 900, refresh_expires_in: lifetime });

    const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ expires_in: 900, refresh_expires_in: lifetime });
  });
});
