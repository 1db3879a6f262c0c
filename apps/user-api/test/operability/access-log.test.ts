import { bearer, eventually, logIn, registerUser, STRONG_PASSWORD, uniqueEmail } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * docs/observability.md#logs: one JSON line per request with method, route pattern, status, duration, request id,
 * user id and trace id — tracing off here, as in most deployments' default.
 */
let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi({ env: { LOG_LEVEL: 'debug' } });
});
afterAll(() => t.stop());

const TRACE_ID = /^[0-9a-f]{32}$/;

function accessLinesOf(requestId: string): Array<Record<string, unknown>> {
  return t.logs.filter((line) => line.request_id === requestId && line.message === 'http request');
}

function accessLineOf(requestId: string): Record<string, unknown> {
  const lines = accessLinesOf(requestId);
  expect(lines).toHaveLength(1);
  return lines[0] as Record<string, unknown>;
}

// The line is written when the response finishes, which can be a moment after the client has it.
async function settled(...requestIds: string[]): Promise<void> {
  await eventually(async () => requestIds.every((requestId) => accessLinesOf(requestId).length > 0), 10_000);
}

describe('the access log line', () => {
  it('names the route pattern (not the raw id), the status, the duration, the request, the user and the caller’s trace', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await t
      .http()
      .delete(`/api/v1/users/me/sessions/${user.sessionId}`)
      .set(bearer(second.accessToken))
      .set('X-Request-ID', 'access-log-1')
      .set('traceparent', `00-${callerTrace}-00f067aa0ba902b7-01`);
    expect(response.status).toBe(204);
    await settled('access-log-1');

    const line = accessLineOf('access-log-1');
    expect(line).toMatchObject({
      level: 'info',
      service: 'user-api',
      method: 'DELETE',
      route: '/api/v1/users/me/sessions/:id',
      status: 204,
      request_id: 'access-log-1',
      user_id: user.id,
      trace_id: callerTrace,
      span_id: '00f067aa0ba902b7',
    });
    expect(typeof line.duration_ms).toBe('number');
    expect(line.duration_ms).toBeGreaterThan(0);
    expect(JSON.stringify(line)).not.toContain(user.sessionId);
  });

  it('has no user id before authentication and "unmatched" as the route of an unknown path', async () => {
    const response = await t.http().get('/api/v1/no-such-thing/123').set('X-Request-ID', 'access-log-404');
    expect(response.status).toBe(404);
    await settled('access-log-404');
    const line = accessLineOf('access-log-404');
    expect(line).toMatchObject({ method: 'GET', route: 'unmatched', status: 404 });
    expect(line).not.toHaveProperty('user_id');
  });

  it('carries a fresh trace id per request when neither tracing nor the caller supplies one', async () => {
    for (const requestId of ['access-log-a', 'access-log-b']) {
      expect((await t.http().get('/.well-known/jwks.json').set('X-Request-ID', requestId)).status).toBe(200);
    }
    await settled('access-log-a', 'access-log-b');
    const [a, b] = [accessLineOf('access-log-a'), accessLineOf('access-log-b')];
    expect(a.trace_id).toMatch(TRACE_ID);
    expect(b.trace_id).toMatch(TRACE_ID);
    expect(a.trace_id).not.toBe(b.trace_id);
  });

  it('gives every line of one request the same trace id', async () => {
    const email = uniqueEmail('traced-lines');
    await registerUser(t.http(), { email });
    const response = await t
      .http()
      .post('/api/v1/auth/login')
      .set('X-Request-ID', 'access-log-failed-login')
      .send({ email, password: 'wrong password here' });
    expect(response.status).toBe(401);
    await settled('access-log-failed-login');
    const lines = t.logs.filter((line) => line.request_id === 'access-log-failed-login');
    expect(lines.map((line) => line.message)).toEqual(expect.arrayContaining(['login_failed', 'authentication_failed', 'http request']));
    expect(new Set(lines.map((line) => line.trace_id)).size).toBe(1);
    expect(lines[0]?.trace_id).toMatch(TRACE_ID);
  });
});

describe('emails in the logs', () => {
  it('are masked on every line written while registering and logging in, including failed logins', async () => {
    const before = t.logs.length;
    const email = uniqueEmail('masked');
    await registerUser(t.http(), { email });
    await logIn(t.http(), email, STRONG_PASSWORD);
    expect((await t.http().post('/api/v1/auth/login').send({ email, password: 'wrong password here' })).status).toBe(401);
    // The failed login's access line is its last one.
    await eventually(async () => t.logs.slice(before).some((line) => line.message === 'http request' && line.status === 401), 10_000);

    const written = t.logs.slice(before);
    expect(written.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(written)).not.toContain(email);
    // The failed login names the account, masked: proof that emails reach the log at all.
    expect(written).toContainEqual(expect.objectContaining({ message: 'login_failed', email: `${email[0]}***@example.com` }));
    expect(t.rawLogs()).not.toContain(email);
  });
});
