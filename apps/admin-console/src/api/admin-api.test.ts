import { AdminApi, pathOf } from './admin-api';
import { ApiError } from './api-error';

/** The console's API client against a recorded fake `fetch` (no server: these are the client's own rules). */
interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function fakeFetch(answers: Array<Response | Error>) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
    });
    const answer = answers.shift();
    if (!answer) throw new Error('no answer left');
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const authResponse = {
  access_token: 'eyJ.access.token',
  refresh_token: 'rt_refresh',
  token_type: 'Bearer',
  expires_in: 900,
  refresh_expires_in: 604800,
  user: {
    id: 'a1',
    email: 'ops@example.com',
    first_name: 'O',
    last_name: 'P',
    role: 'admin',
    kyc_status: 'pending',
    created_at: '',
    updated_at: '',
  },
};

async function signedIn(answers: Array<Response | Error>) {
  const fake = fakeFetch([json(200, authResponse), ...answers]);
  const ended: ApiError[] = [];
  const api = new AdminApi({ fetch: fake.fetch, onSessionEnded: (error) => ended.push(error) });
  await api.signIn('ops@example.com', 'secret passphrase');
  return { api, calls: fake.calls, ended };
}

describe('AdminApi', () => {
  it('sends no token before signing in, and the login answer’s token afterwards', async () => {
    const { api, calls } = await signedIn([json(200, { total_users: 1, active_sessions: 0, users_by_kyc_status: {} })]);
    expect(calls[0]).toMatchObject({
      url: '/api/v1/admin/auth/login',
      method: 'POST',
      body: { email: 'ops@example.com', password: 'secret passphrase' },
    });
    expect(calls[0]?.headers.Authorization).toBeUndefined();
    await api.statistics();
    expect(calls[1]).toMatchObject({ url: '/api/v1/admin/stats', method: 'GET', headers: { Authorization: 'Bearer eyJ.access.token' } });
  });

  it('puts a fresh Idempotency-Key on every write and none on reads', async () => {
    const { api, calls } = await signedIn([
      new Response(null, { status: 204 }),
      new Response(null, { status: 204 }),
      json(200, { sessions: [] }),
    ]);
    await api.unlock('u1');
    await api.revokeSessions('u1');
    await api.listSessions('u1');
    const [login, unlock, revoke, list] = calls;
    for (const write of [login, unlock, revoke]) expect(write?.headers['Idempotency-Key']).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set([login, unlock, revoke].map((write) => write?.headers['Idempotency-Key'])).size).toBe(3);
    expect(list?.headers['Idempotency-Key']).toBeUndefined();
    expect([unlock?.method, unlock?.url, revoke?.method, revoke?.url]).toEqual([
      'POST',
      '/api/v1/admin/users/u1/unlock',
      'DELETE',
      '/api/v1/admin/users/u1/sessions',
    ]);
  });

  it('sends a write whose answer was lost once more, with the same key', async () => {
    const { api, calls } = await signedIn([new TypeError('network down'), json(200, { id: 'u1', kyc_status: 'verified' })]);
    await expect(api.changeKyc('u1', { kyc_status: 'verified', reason: 'documents checked' })).resolves.toMatchObject({
      kyc_status: 'verified',
    });
    expect(calls).toHaveLength(3);
    expect(calls[1]?.headers['Idempotency-Key']).toBe(calls[2]?.headers['Idempotency-Key']);
    expect(calls[2]?.body).toEqual({ kyc_status: 'verified', reason: 'documents checked' });
  });

  it('says the API is unreachable when the second attempt fails too', async () => {
    const { api } = await signedIn([new TypeError('down'), new TypeError('still down')]);
    await expect(api.statistics()).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('raises the API’s own error envelope: code, message, details and request id', async () => {
    const envelope = {
      error: {
        code: 'INVALID_INPUT',
        message: 'The request is invalid.',
        details: [{ field: 'reason', message: 'too long' }],
        request_id: 'req-7',
      },
    };
    const { api } = await signedIn([json(400, envelope, { 'X-Request-ID': 'req-7' })]);
    const error = await api.changeKyc('u1', { kyc_status: 'rejected', reason: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: 'The request is invalid.', requestId: 'req-7' });
    expect((error as ApiError).details).toEqual([{ field: 'reason', message: 'too long' }]);
  });

  it('explains an answer without an envelope instead of failing to parse it', async () => {
    const { api } = await signedIn([new Response('<html>bad gateway</html>', { status: 502 })]);
    await expect(api.statistics()).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502 });
  });

  it('forgets the token and reports the end of the session on a 401', async () => {
    const expired = { error: { code: 'TOKEN_EXPIRED', message: 'The access token has expired.', request_id: 'r' } };
    const { api, calls, ended } = await signedIn([json(401, expired)]);
    await expect(api.statistics()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(ended.map((error) => error.code)).toEqual(['TOKEN_EXPIRED']);
    expect(api.signedIn).toBe(false);
    await expect(api.statistics()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(calls).toHaveLength(2);
  });

  it('does not treat a refused login as the end of a session', async () => {
    const refused = { error: { code: 'INVALID_CREDENTIALS', message: 'Invalid email or password.', request_id: 'r' } };
    const fake = fakeFetch([json(401, refused)]);
    const ended: ApiError[] = [];
    const api = new AdminApi({ fetch: fake.fetch, onSessionEnded: (error) => ended.push(error) });
    await expect(api.signIn('ops@example.com', 'wrong')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(ended).toEqual([]);
  });

  it('returns the second-factor challenge without a token, and keeps the token of the verified login', async () => {
    const challenge = { mfa_required: true, mfa_token: 'mfa-1', mfa_expires_in: 300, methods: ['totp', 'recovery_code'] };
    const fake = fakeFetch([json(200, challenge), json(200, authResponse), json(200, { sessions: [] })]);
    const api = new AdminApi({ fetch: fake.fetch, onSessionEnded: () => undefined });
    expect(await api.signIn('ops@example.com', 'secret passphrase')).toEqual({ kind: 'mfa', challenge });
    expect(api.signedIn).toBe(false);
    expect(await api.verifyMfa('mfa-1', '123456')).toMatchObject({ kind: 'signed-in' });
    expect(fake.calls[1]).toMatchObject({
      url: '/api/v1/admin/auth/mfa/verify',
      method: 'POST',
      body: { mfa_token: 'mfa-1', code: '123456' },
    });
    await api.listSessions('u1');
    expect(fake.calls[2]?.headers.Authorization).toBe('Bearer eyJ.access.token');
  });

  it('forgets the token on sign-out', async () => {
    const { api } = await signedIn([]);
    api.signOut();
    await expect(api.statistics()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('omits cookies and never follows redirects', async () => {
    const fake = fakeFetch([json(200, authResponse)]);
    const seen: RequestInit[] = [];
    const api = new AdminApi({
      onSessionEnded: () => undefined,
      fetch: (input, init) => {
        seen.push(init ?? {});
        return fake.fetch(input, init);
      },
    });
    await api.signIn('ops@example.com', 'x');
    expect(seen[0]).toMatchObject({ credentials: 'omit', redirect: 'error', cache: 'no-store', referrerPolicy: 'no-referrer' });
  });
});

describe('pathOf', () => {
  it('fills and encodes path parameters', () => {
    expect(pathOf('/api/v1/admin/users/{id}/sessions', { id: 'a b/c' })).toBe('/api/v1/admin/users/a%20b%2Fc/sessions');
    expect(pathOf('/api/v1/admin/users/{id}/unfreeze', { id: 'u1' })).toBe('/api/v1/admin/users/u1/unfreeze');
  });
});
