import { randomUUID } from 'node:crypto';
import { auditLogs, outboxEvents } from '@pandora/data-access';
import { sessionListSchema } from '../src/http/schemas/dto.schemas';
import { expectNoSecretIn, onlyAuditRow } from './support/audit-rows';
import { bearer, expectErrorEnvelope, logIn, registerUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi();
});
afterAll(() => t.stop());

describe('sessions of the caller', () => {
  it('lists active sessions newest first, marks the current one and never shows a token', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    const third = await logIn(t.http(), user.email, user.password);
    await t.http().post('/api/v1/users/me/logout').set(bearer(third.accessToken)).expect(204);
    const response = await t.http().get('/api/v1/users/me/sessions').set(bearer(second.accessToken));
    expect(response.status).toBe(200);
    expect(sessionListSchema.safeParse(response.body).success).toBe(true);
    expect(response.body.sessions.map((s: { id: string }) => s.id)).toEqual([second.sessionId, user.sessionId]);
    expect(response.body.sessions.map((s: { current: boolean }) => s.current)).toEqual([true, false]);
    expect(JSON.stringify(response.body)).not.toMatch(/rt_|token/);
  });

  it('revokes one of the caller’s own sessions', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    expect((await t.http().delete(`/api/v1/users/me/sessions/${second.sessionId}`).set(bearer(user.accessToken))).status).toBe(204);
    expect((await t.http().get('/api/v1/users/me').set(bearer(second.accessToken))).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/refresh').send({ refresh_token: second.refreshToken })).status).toBe(401);
    expect(await t.rows.first(outboxEvents, { aggregateId: user.id, eventType: 'session.revoked' })).toMatchObject({
      payload: { session_ids: [second.sessionId], reason: 'user_revoked' },
    });
    // Idempotent: revoking again is fine and announces nothing new.
    expect((await t.http().delete(`/api/v1/users/me/sessions/${second.sessionId}`).set(bearer(user.accessToken))).status).toBe(204);
    expect(await t.rows.count(outboxEvents, { aggregateId: user.id, eventType: 'session.revoked' })).toBe(1);
  });

  it('records the revocation in the audit trail: action revoke_session by the user, naming the session, with no secret', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    const response = await t.http().delete(`/api/v1/users/me/sessions/${second.sessionId}`).set(bearer(user.accessToken)).expect(204);
    const row = await onlyAuditRow(t.rows, user.id, 'session.revoked');
    expect(row).toMatchObject({
      action: 'revoke_session',
      eventCategory: 'session',
      status: 'success',
      actorType: 'user',
      actorIdentifier: user.email,
      sessionId: user.sessionId,
      requestId: response.headers['x-request-id'],
      metadata: { session_ids: [second.sessionId], reason: 'user_revoked' },
    });
    expectNoSecretIn(row, user, [second.accessToken, second.refreshToken]);
  });

  it('answers 404 for another user’s session and leaves it alone (no IDOR)', async () => {
    const alice = await registerUser(t.http());
    const bob = await registerUser(t.http());
    const response = await t.http().delete(`/api/v1/users/me/sessions/${bob.sessionId}`).set(bearer(alice.accessToken));
    expect(response.status).toBe(404);
    expectErrorEnvelope(response.body, 'NOT_FOUND');
    expect((await t.http().get('/api/v1/users/me').set(bearer(bob.accessToken))).status).toBe(200);
    expect((await t.http().delete(`/api/v1/users/me/sessions/${randomUUID()}`).set(bearer(alice.accessToken))).status).toBe(404);
  });

  it('answers 400 for a session id that is not a UUID', async () => {
    const user = await registerUser(t.http());
    for (const id of ['123', 'not-a-uuid', "1' OR '1'='1", `${user.sessionId}x`]) {
      const response = await t
        .http()
        .delete(`/api/v1/users/me/sessions/${encodeURIComponent(id)}`)
        .set(bearer(user.accessToken));
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([{ field: 'id', message: expect.any(String) }]);
    }
  });
});

describe('POST /api/v1/users/me/logout', () => {
  it('without a body ends the current session only', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    expect((await t.http().post('/api/v1/users/me/logout').set(bearer(user.accessToken))).status).toBe(204);
    expect((await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).status).toBe(401);
    expect((await t.http().get('/api/v1/users/me').set(bearer(second.accessToken))).status).toBe(200);
    expect(await t.rows.count(auditLogs, { userId: user.id, eventType: 'auth.logout' })).toBe(1);
  });

  it('with a refresh token ends that session when it is the caller’s', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    expect(
      (await t.http().post('/api/v1/users/me/logout').set(bearer(user.accessToken)).send({ refresh_token: second.refreshToken })).status,
    ).toBe(204);
    expect((await t.http().get('/api/v1/users/me').set(bearer(second.accessToken))).status).toBe(401);
    expect((await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).status).toBe(200);
  });

  it('ignores another user’s refresh token and unknown tokens (204, nothing revoked)', async () => {
    const alice = await registerUser(t.http());
    const bob = await registerUser(t.http());
    expect(
      (await t.http().post('/api/v1/users/me/logout').set(bearer(alice.accessToken)).send({ refresh_token: bob.refreshToken })).status,
    ).toBe(204);
    expect(
      (await t.http().post('/api/v1/users/me/logout').set(bearer(alice.accessToken)).send({ refresh_token: 'rt_unknown' })).status,
    ).toBe(204);
    expect((await t.http().get('/api/v1/users/me').set(bearer(bob.accessToken))).status).toBe(200);
    expect((await t.http().get('/api/v1/users/me').set(bearer(alice.accessToken))).status).toBe(200);
  });

  it('rejects unknown fields and non-JSON bodies', async () => {
    const user = await registerUser(t.http());
    expect((await t.http().post('/api/v1/users/me/logout').set(bearer(user.accessToken)).send({ everywhere: true })).status).toBe(400);
    expect((await t.http().post('/api/v1/users/me/logout').set(bearer(user.accessToken)).type('text').send('bye')).status).toBe(415);
  });
});

describe('POST /api/v1/users/me/logout-all', () => {
  it('ends every session of the caller and announces them in one event', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    const other = await registerUser(t.http());
    expect((await t.http().post('/api/v1/users/me/logout-all').set(bearer(second.accessToken))).status).toBe(204);
    for (const token of [user.accessToken, second.accessToken])
      expect((await t.http().get('/api/v1/users/me').set(bearer(token))).status).toBe(401);
    expect((await t.http().get('/api/v1/users/me').set(bearer(other.accessToken))).status).toBe(200);
    expect(await t.rows.first(outboxEvents, { aggregateId: user.id, eventType: 'session.revoked' })).toMatchObject({
      payload: { session_ids: [user.sessionId, second.sessionId].sort(), reason: 'logout_all' },
    });
  });

  it('records it in the audit trail: action logout_all by the user, naming every session, with no secret', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    const response = await t.http().post('/api/v1/users/me/logout-all').set(bearer(second.accessToken)).expect(204);
    const row = await onlyAuditRow(t.rows, user.id, 'auth.logout_all');
    expect(row).toMatchObject({
      action: 'logout_all',
      eventCategory: 'session',
      status: 'success',
      actorType: 'user',
      actorIdentifier: user.email,
      sessionId: second.sessionId,
      requestId: response.headers['x-request-id'],
      metadata: { session_ids: [user.sessionId, second.sessionId].sort(), reason: 'logout_all' },
    });
    expectNoSecretIn(row, user, [second.accessToken, second.refreshToken]);
  });
});
