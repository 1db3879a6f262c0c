import { auditLogs, outboxEvents, sessions, users } from '@pandora/data-access';
import { bearer, createAdmin, logIn, registerUser, sessionIdOf, type AdminSession } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/**
 * Admin actions leave the audit row (docs/audit-trail.md: actor = the admin) and the outbox events (docs/events.md,
 * metadata.actor_id = the admin) that consumers and investigators rely on.
 */
let t: TestUserApi;
let admin: AdminSession;
beforeAll(async () => {
  t = await startTestUserApi();
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

const outbox = (aggregateId: string, eventType: string) => t.rows.find(outboxEvents, { aggregateId, eventType }, { orderBy: 'seq' });

/** The metadata every event of an admin's request carries (docs/events.md#metadata). */
const byAdmin = (requestId: string) =>
  expect.objectContaining({
    actor_id: admin.id,
    actor_type: 'admin',
    request_id: requestId,
    ip_address: '127.0.0.1',
    user_agent: 'admin-console/1.0',
  });

describe('DELETE /api/v1/admin/users/:id/sessions', () => {
  it('writes an audit row with the admin as actor, from the admin session, next to the session.revoked event', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    const revoked = [user.sessionId, second.sessionId].sort();
    const response = await t
      .admin()
      .delete(`/api/v1/admin/users/${user.id}/sessions`)
      .set(bearer(admin.accessToken))
      .set('X-Request-ID', 'revoke-all-1')
      .set('User-Agent', 'admin-console/1.0');
    expect(response.status).toBe(204);

    const audit = await t.rows.find(auditLogs, { userId: user.id, eventType: 'session.revoked' });
    expect(audit).toEqual([
      expect.objectContaining({
        actorType: 'admin',
        actorIdentifier: admin.email,
        sessionId: admin.sessionId,
        requestId: 'revoke-all-1',
        resourceType: 'user',
        resourceId: user.id,
        status: 'success',
        metadata: { session_ids: revoked, reason: 'admin_revoked' },
      }),
    ]);
    // The audit row has no actor-id column: the admin's own session is what ties it to their account.
    expect((await t.rows.one(sessions, { id: admin.sessionId })).userId).toBe(admin.id);
    expect(await outbox(user.id, 'session.revoked')).toEqual([
      expect.objectContaining({ payload: { session_ids: revoked, reason: 'admin_revoked' }, metadata: byAdmin('revoke-all-1') }),
    ]);
  });
});

describe('events of admin actions', () => {
  it('admin login emits user.logged_in with the email as payload and the admin as actor', async () => {
    const response = await t
      .admin()
      .post('/api/v1/admin/auth/login')
      .set('X-Request-ID', 'admin-login-1')
      .set('User-Agent', 'admin-console/1.0')
      .send({ email: admin.email, password: admin.password });
    expect(response.status).toBe(200);
    const [event] = (await outbox(admin.id, 'user.logged_in')).filter(
      (row) => (row.metadata as { request_id?: string }).request_id === 'admin-login-1',
    );
    expect(event).toMatchObject({ payload: { email: admin.email }, metadata: byAdmin('admin-login-1') });
    expect(Object.keys(event?.payload ?? {})).toEqual(['email']);
    const audit = await t.rows.first(auditLogs, { userId: admin.id, eventType: 'auth.login.succeeded', requestId: 'admin-login-1' });
    expect(audit).toMatchObject({
      actorType: 'admin',
      sessionId: sessionIdOf(response.body.access_token),
      metadata: expect.objectContaining({ required_role: 'admin' }),
    });
  });

  it('admin delete emits user.deleted and session.revoked (reason account_deleted), both by the admin', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    const response = await t
      .admin()
      .delete(`/api/v1/admin/users/${user.id}`)
      .set(bearer(admin.accessToken))
      .set('X-Request-ID', 'admin-delete-1')
      .set('User-Agent', 'admin-console/1.0');
    expect(response.status).toBe(204);
    const { deletedAt } = await t.rows.one(users, { id: user.id });
    expect(await outbox(user.id, 'user.deleted')).toEqual([
      expect.objectContaining({
        payload: { email: user.email, deleted_at: deletedAt?.toISOString() },
        metadata: byAdmin('admin-delete-1'),
      }),
    ]);
    expect(await outbox(user.id, 'session.revoked')).toEqual([
      expect.objectContaining({
        payload: { session_ids: [user.sessionId, second.sessionId].sort(), reason: 'account_deleted' },
        metadata: byAdmin('admin-delete-1'),
      }),
    ]);
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'user.deleted' })).toMatchObject({
      actorType: 'admin',
      actorIdentifier: admin.email,
      sessionId: admin.sessionId,
    });
  });

  it('a role change emits user.role.changed by the admin, and session.revoked for the sessions it cut', async () => {
    const user = await registerUser(t.http());
    const response = await t
      .admin()
      .patch(`/api/v1/admin/users/${user.id}/role`)
      .set(bearer(admin.accessToken))
      .set('X-Request-ID', 'admin-role-1')
      .set('User-Agent', 'admin-console/1.0')
      .send({ role: 'admin' });
    expect(response.status).toBe(200);
    expect(await outbox(user.id, 'user.role.changed')).toEqual([
      expect.objectContaining({ payload: { email: user.email, role: 'admin', old_role: 'user' }, metadata: byAdmin('admin-role-1') }),
    ]);
    expect(await outbox(user.id, 'session.revoked')).toEqual([
      expect.objectContaining({ payload: { session_ids: [user.sessionId], reason: 'role_changed' }, metadata: byAdmin('admin-role-1') }),
    ]);
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'user.role.changed' })).toMatchObject({
      actorType: 'admin',
      actorIdentifier: admin.email,
      sessionId: admin.sessionId,
    });
  });
});
