import { CONTEXT, createFakePorts, eventTypes, HOUR_MS, seedUser, signIn, type FakePorts } from '../testing';
import { RefreshSession } from './refresh-session';

describe('RefreshSession', () => {
  let ports: FakePorts;
  let refresh: RefreshSession;

  beforeEach(() => {
    ports = createFakePorts();
    refresh = new RefreshSession(ports);
  });

  it('rotates the refresh token: a new token, the session extended, new access token', async () => {
    const user = await seedUser(ports);
    const { session, refreshToken } = await signIn(ports, user);
    ports.clock.advance(HOUR_MS);
    const result = await refresh.execute({ refreshToken }, CONTEXT);

    expect(result.refreshToken).not.toBe(refreshToken);
    expect(result.session).toMatchObject({
      id: session.id,
      expiresAt: new Date(ports.clock.now().getTime() + ports.auth.refreshTokenTtlMs),
    });
    expect((await ports.accessTokens.verify(result.accessToken)).sid).toBe(session.id);
    expect(ports.metrics.refreshes).toEqual(['success']);
  });

  it('refuses a refresh token past its expiry', async () => {
    const { refreshToken } = await signIn(ports, await seedUser(ports));
    ports.clock.advance(ports.auth.refreshTokenTtlMs);
    await expect(refresh.execute({ refreshToken }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    expect(ports.metrics.refreshes).toEqual(['invalid']);
  });

  it('caps the new expiry at the absolute lifetime', async () => {
    ports.auth.sessionAbsoluteTtlMs = 2 * HOUR_MS;
    const { session, refreshToken } = await signIn(ports, await seedUser(ports));
    ports.clock.advance(HOUR_MS);
    const result = await refresh.execute({ refreshToken }, CONTEXT);
    expect(result.session.expiresAt).toEqual(session.absoluteExpiresAt);
    expect(result.refreshTokenExpiresIn).toBe(3_600);
  });

  it('refuses a token that is not ours, unknown, or of a revoked session, without recording anything', async () => {
    const { session, refreshToken } = await signIn(ports, await seedUser(ports));
    await expect(refresh.execute({ refreshToken: 'not-a-token' }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    await expect(refresh.execute({ refreshToken: 'rt_999' }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    await ports.db.run((repositories) => repositories.sessions.revoke([session.id], 'logout', ports.clock.now()));
    await expect(refresh.execute({ refreshToken }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    expect(ports.metrics.refreshes).toEqual(['invalid', 'invalid', 'invalid']);
    expect(ports.db.audit).toEqual([]);
  });

  it('refuses a rotated token presented within the grace window without harming the session', async () => {
    const { session, refreshToken } = await signIn(ports, await seedUser(ports));
    await refresh.execute({ refreshToken }, CONTEXT);
    ports.clock.advance(ports.auth.refreshReuseGraceMs);
    await expect(refresh.execute({ refreshToken }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    expect(ports.db.session(session.id)?.revokedAt).toBeNull();
    expect(ports.metrics.refreshes).toEqual(['success', 'grace']);
    expect(eventTypes(ports)).toEqual([]);
  });

  it('revokes the whole session when a rotated token comes back after the grace window', async () => {
    const user = await seedUser(ports);
    const { session, refreshToken } = await signIn(ports, user);
    const rotated = await refresh.execute({ refreshToken }, CONTEXT);
    ports.clock.advance(ports.auth.refreshReuseGraceMs + 1);

    await expect(refresh.execute({ refreshToken }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    expect(ports.db.session(session.id)?.revokedReason).toBe('refresh_token_reuse');
    expect(ports.principals.invalidated).toEqual([session.id]);
    await expect(refresh.execute({ refreshToken: rotated.refreshToken }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    expect(ports.metrics.refreshes).toEqual(['success', 'reuse_detected', 'invalid']);
  });

  it('records reuse as a critical audit row, a session.revoked event and a security log line', async () => {
    const user = await seedUser(ports);
    const { session, refreshToken } = await signIn(ports, user);
    await refresh.execute({ refreshToken }, CONTEXT);
    ports.clock.advance(ports.auth.refreshReuseGraceMs + 1);
    await expect(refresh.execute({ refreshToken }, CONTEXT)).rejects.toThrow();

    expect(ports.db.audit).toEqual([
      expect.objectContaining({
        eventType: 'security.refresh_token_reused',
        severity: 'critical',
        status: 'failure',
        actorType: 'system',
        resourceType: 'session',
        resourceId: session.id,
        metadata: expect.objectContaining({ session_revoked: true }),
      }),
    ]);
    expect(eventTypes(ports)).toEqual(['session.revoked']);
    expect(ports.db.outbox[0]?.payload).toEqual({ session_ids: [session.id], reason: 'refresh_token_reuse' });
    expect(ports.securityLog.events).toEqual([
      {
        event: 'refresh_token_reuse_detected',
        fields: expect.objectContaining({ user_id: user.id, session_id: session.id, session_revoked: true }),
      },
    ]);
  });

  it('records reuse on an already revoked session without a second revocation event', async () => {
    const { session, refreshToken } = await signIn(ports, await seedUser(ports));
    await refresh.execute({ refreshToken }, CONTEXT);
    await ports.db.run((repositories) => repositories.sessions.revoke([session.id], 'logout', ports.clock.now()));
    ports.clock.advance(ports.auth.refreshReuseGraceMs + 1);
    await expect(refresh.execute({ refreshToken }, CONTEXT)).rejects.toThrow();
    expect(ports.db.audit[0]?.metadata).toMatchObject({ session_revoked: false });
    expect(eventTypes(ports)).toEqual([]);
  });

  it('refuses a token of a deleted account', async () => {
    const user = await seedUser(ports);
    const { refreshToken } = await signIn(ports, user);
    await ports.db.run((repositories) => repositories.users.softDelete(user.id, ports.clock.now()));
    await expect(refresh.execute({ refreshToken }, CONTEXT)).rejects.toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
  });
});
