import { bearer, logIn, registerUser, STRONG_PASSWORD, uniqueEmail } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_REGISTER_REQUESTS: '3' } });
});
afterAll(() => t.stop());

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('Prometheus metrics', () => {
  it('expose the documented names after traffic, with route patterns and never ids in labels', async () => {
    const user = await registerUser(t.http());
    const other = await logIn(t.http(), user.email, user.password);
    await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password!' }).expect(401);
    await t.http().post('/api/v1/auth/refresh').send({ refresh_token: other.refreshToken }).expect(200);
    await t.http().delete(`/api/v1/users/me/sessions/${other.sessionId}`).set(bearer(user.accessToken)).expect(204);
    await t.http().get(`/api/v1/users/me/sessions/${user.sessionId}`).expect(405);
    await t.http().get('/api/v1/no/such/route/123').expect(404);
    // The register limit (3 per IP here) is counted after validation: the fourth valid one is refused.
    for (let i = 0; i < 3; i++)
      await t
        .http()
        .post('/api/v1/auth/register')
        .send({ email: uniqueEmail(), password: STRONG_PASSWORD, first_name: 'M', last_name: 'X' });

    const metrics = (await t.admin().get('/metrics')).text;
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'user_registrations_total',
      'user_logins_total',
      'token_refresh_total',
      'password_hash_duration_seconds_bucket',
      'rate_limit_rejections_total',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(/http_requests_total\{method="DELETE",route="\/api\/v1\/users\/me\/sessions\/:id",status_code="204"\} 1/);
    expect(metrics).toMatch(/user_logins_total\{result="success"\} 1/);
    expect(metrics).toMatch(/user_logins_total\{result="invalid_credentials"\} 1/);
    expect(metrics).toMatch(/token_refresh_total\{result="success"\} 1/);
    expect(metrics).toMatch(/rate_limit_rejections_total\{limit="register"\} 1/);
    expect(metrics).toMatch(/password_hash_duration_seconds_count\{operation="verify"\} [1-9]/);
    const labelValues = [...metrics.matchAll(/\{([^}]*)\}/g)].map((match) => match[1]).join('\n');
    expect(labelValues).not.toMatch(UUID);
    expect(labelValues).not.toContain('/no/such/route');
    expect(metrics).toMatch(/route="unmatched",status_code="404"/);
  });
});
