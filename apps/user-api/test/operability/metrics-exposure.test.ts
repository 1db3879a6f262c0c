import { bearer, createAdmin, registerUser } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * /metrics is served on the private admin listener only (docs/observability.md#metrics): the exposition
 * shows admin routes and outcomes the public answers keep hidden — user_logins_total{result="forbidden"}
 * moves only for a non-admin's right password at the admin login, which answers the same 401 as a wrong one.
 */
let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi();
});
afterAll(() => t.stop());

describe('where the metrics are served', () => {
  it('answers 404 on the public port, with no admin route and no login outcome in sight', async () => {
    const admin = await createAdmin(t);
    const user = await registerUser(t.http());
    await t.admin().post('/api/v1/admin/auth/login').send({ email: user.email, password: user.password }).expect(401);
    await t.admin().get('/api/v1/admin/users').set(bearer(admin.accessToken)).expect(200);

    const publicAnswer = await t.http().get('/metrics');
    expect(publicAnswer.status).toBe(404);
    expect(publicAnswer.text).not.toContain('user_logins_total');
    expect(publicAnswer.text).not.toContain('/api/v1/admin');
  });

  it('serves both listeners’ metrics on the admin port, the security-sensitive outcomes included', async () => {
    const user = await registerUser(t.http());
    await t.admin().post('/api/v1/admin/auth/login').send({ email: user.email, password: user.password }).expect(401);
    const metrics = (await t.admin().get('/metrics')).text;
    expect(metrics).toMatch(/user_logins_total\{result="forbidden"\} [1-9]/);
    expect(metrics).toMatch(/http_requests_total\{method="POST",route="\/api\/v1\/auth\/register",status_code="201"\} [1-9]/);
    expect(metrics).toMatch(/http_requests_total\{method="POST",route="\/api\/v1\/admin\/auth\/login",status_code="401"\} [1-9]/);
  });
});
