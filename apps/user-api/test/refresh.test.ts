import { auditLogs, outboxEvents, refreshTokens, sessions } from '@pandora/data-access';
import { OffsetClock } from '@pandora/testing';
import { bearer, eventually, expectErrorEnvelope, registerUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

let t: TestUserApi;
// The grace window is measured on this clock: tests move it past the window instead of waiting.
const clock = new OffsetClock();
beforeAll(async () => {
  t = await startTestUserApi({ env: { REFRESH_REUSE_GRACE: '1s' }, clock });
});
afterAll(() => t.stop());

const refresh = (token: string) => t.http().post('/api/v1/auth/refresh').send({ refresh_token: token });

describe('POST /api/v1/auth/refresh', () => {
  it('rotates the pair: new tokens work, the session id stays, the old refresh token stops working', async () => {
    const user = await registerUser(t.http());
    const response = await refresh(user.refreshToken);
    expect(response.status).toBe(200);
    expect(response.body.refresh_token).not.toBe(user.refreshToken);
    expect(response.body.access_token).not.toBe(user.accessToken);
    expect(JSON.parse(Buffer.from(response.body.access_token.split('.')[1], 'base64url').toString()).sid).toBe(user.sessionId);
    expect((await t.http().get('/api/v1/users/me').set(bearer(response.body.access_token))).status).toBe(200);
    expect((await refresh(response.body.refresh_token)).status).toBe(200);
    const rows = await t.rows.find(refreshTokens, { sessionId: user.sessionId }, { orderBy: 'createdAt' });
    expect(rows).toHaveLength(3);
    expect(rows.filter((row) => row.rotatedAt === null)).toHaveLength(1);
  });

  it('refuses a reused token within the grace window without revoking the session', async () => {
    const user = await registerUser(t.http());
    const rotated = await refresh(user.refreshToken);
    const again = await refresh(user.refreshToken);
    expect(again.status).toBe(401);
    expectErrorEnvelope(again.body, 'INVALID_REFRESH_TOKEN');
    expect((await t.rows.one(sessions, { id: user.sessionId })).revokedAt).toBeNull();
    expect((await refresh(rotated.body.refresh_token)).status).toBe(200);
  });

  it('treats reuse after the grace window as theft: the whole session is revoked, audited and announced', async () => {
    const user = await registerUser(t.http());
    const rotated = await refresh(user.refreshToken);
    clock.advance(1100);
    const reuse = await refresh(user.refreshToken);
    expect(reuse.status).toBe(401);
    expectErrorEnvelope(reuse.body, 'INVALID_REFRESH_TOKEN');

    const session = await t.rows.one(sessions, { id: user.sessionId });
    expect(session).toMatchObject({ revokedReason: 'refresh_token_reuse' });
    expect((await refresh(rotated.body.refresh_token)).status).toBe(401);
    expect((await t.http().get('/api/v1/users/me').set(bearer(rotated.body.access_token))).status).toBe(401);

    expect(await t.rows.first(auditLogs, { eventType: 'security.refresh_token_reused', sessionId: user.sessionId })).toMatchObject({
      severity: 'critical',
      userId: user.id,
    });
    expect(await t.rows.first(outboxEvents, { aggregateId: user.id, eventType: 'session.revoked' })).toMatchObject({
      payload: { session_ids: [user.sessionId], reason: 'refresh_token_reuse' },
    });
    expect(t.logs).toContainEqual(expect.objectContaining({ security_event: 'refresh_token_reuse_detected', session_id: user.sessionId }));
  });

  it('never replays a refresh from the Idempotency-Key store: the same key after the grace window meets reuse detection', async () => {
    const user = await registerUser(t.http());
    const keyed = () => refresh(user.refreshToken).set('Idempotency-Key', `refresh-${user.sessionId}`);
    const first = await keyed();
    expect(first.status).toBe(200);
    clock.advance(1100);
    const replay = await keyed();
    expect(replay.status).toBe(401);
    expectErrorEnvelope(replay.body, 'INVALID_REFRESH_TOKEN');
    expect(replay.headers['idempotent-replayed']).toBeUndefined();
    expect(JSON.stringify(replay.body)).not.toContain(first.body.refresh_token);
    expect(await t.rows.one(sessions, { id: user.sessionId })).toMatchObject({ revokedReason: 'refresh_token_reuse' });
    expect((await refresh(first.body.refresh_token)).status).toBe(401);
  });

  it('lets exactly one of four concurrent refreshes with the same token succeed', async () => {
    const user = await registerUser(t.http());
    const results = await Promise.all([1, 2, 3, 4].map(() => refresh(user.refreshToken)));
    expect(results.map((response) => response.status).sort()).toEqual([200, 401, 401, 401]);
    expect((await t.rows.one(sessions, { id: user.sessionId })).revokedAt).toBeNull();
    expect(await t.rows.count(refreshTokens, { sessionId: user.sessionId })).toBe(2);
  });

  it('refuses tokens of revoked sessions, expired tokens, unknown and malformed tokens', async () => {
    const user = await registerUser(t.http());
    await t.http().post('/api/v1/users/me/logout').set(bearer(user.accessToken)).expect(204);
    expect((await refresh(user.refreshToken)).status).toBe(401);

    const other = await registerUser(t.http());
    await t.rows.update(refreshTokens, { sessionId: other.sessionId }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await refresh(other.refreshToken)).status).toBe(401);

    for (const token of [`rt_${'A'.repeat(43)}`, 'short', 'x'.repeat(512)]) {
      const response = await refresh(token);
      expect(response.status).toBe(401);
      expectErrorEnvelope(response.body, 'INVALID_REFRESH_TOKEN');
    }
    expect(
      (
        await t
          .http()
          .post('/api/v1/auth/refresh')
          .send({ refresh_token: 'x'.repeat(513) })
      ).status,
    ).toBe(400);
    expect((await t.http().post('/api/v1/auth/refresh').send({})).status).toBe(400);
  });

  it('never extends a session past its absolute lifetime', async () => {
    const user = await registerUser(t.http());
    const soon = new Date(Date.now() + 60_000);
    await t.rows.update(sessions, { id: user.sessionId }, { absoluteExpiresAt: soon });
    const response = await refresh(user.refreshToken);
    expect(response.status).toBe(200);
    expect(response.body.refresh_expires_in).toBeLessThanOrEqual(60);
    await t.rows.update(sessions, { id: user.sessionId }, { absoluteExpiresAt: new Date(Date.now() - 1) });
    expect((await refresh(response.body.refresh_token)).status).toBe(401);
    await eventually(async () => (await t.http().get('/api/v1/users/me').set(bearer(response.body.access_token))).status === 401, 1000);
  });
});
