import { auditLogs, outboxEvents, sessions, users } from '@pandora/data-access';
import { userDtoSchema } from '../src/http/schemas/dto.schemas';
import { expectNoSecretIn, onlyAuditRow } from './support/audit-rows';
import { bearer, expectErrorEnvelope, logIn, registerUser } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

let t: TestUserApi;
beforeAll(async () => {
  t = await startTestUserApi();
});
afterAll(() => t.stop());

describe('GET /api/v1/users/me', () => {
  it('returns the User DTO of the caller', async () => {
    const user = await registerUser(t.http());
    const response = await t.http().get('/api/v1/users/me').set(bearer(user.accessToken));
    expect(response.status).toBe(200);
    expect(userDtoSchema.strict().safeParse(response.body).success).toBe(true);
    expect(response.body.id).toBe(user.id);
  });
});

describe('PATCH and PUT /api/v1/users/me', () => {
  it('PATCH changes one name and emits user.profile.updated with an audit row', async () => {
    const user = await registerUser(t.http());
    const response = await t.http().patch('/api/v1/users/me').set(bearer(user.accessToken)).send({ last_name: '  Byron ' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ first_name: 'Ada', last_name: 'Byron' });
    expect(new Date(response.body.updated_at).getTime()).toBeGreaterThan(new Date(response.body.created_at).getTime() - 1);
    expect(await t.rows.first(outboxEvents, { aggregateId: user.id, eventType: 'user.profile.updated' })).toMatchObject({
      payload: { email: user.email, first_name: 'Ada', last_name: 'Byron' },
    });
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'user.profile.updated' })).toMatchObject({
      previousState: { first_name: 'Ada', last_name: 'Lovelace' },
      newState: { first_name: 'Ada', last_name: 'Byron' },
    });
  });

  it('PUT replaces both names and requires both', async () => {
    const user = await registerUser(t.http());
    expect((await t.http().put('/api/v1/users/me').set(bearer(user.accessToken)).send({ first_name: 'Augusta' })).status).toBe(400);
    const response = await t
      .http()
      .put('/api/v1/users/me')
      .set(bearer(user.accessToken))
      .send({ first_name: 'Augusta', last_name: 'King' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ first_name: 'Augusta', last_name: 'King' });
  });

  it('writing the same values is a no-op without event or audit', async () => {
    const user = await registerUser(t.http());
    await t.http().put('/api/v1/users/me').set(bearer(user.accessToken)).send({ first_name: 'Ada', last_name: 'Lovelace' }).expect(200);
    expect(await t.rows.count(outboxEvents, { aggregateId: user.id, eventType: 'user.profile.updated' })).toBe(0);
  });

  it.each([
    [{}, 'body'],
    [{ role: 'admin' }, 'role'],
    [{ kyc_status: 'verified' }, 'kyc_status'],
    [{ email: 'new@example.com' }, 'email'],
    [{ first_name: '' }, 'first_name'],
    [{ first_name: 'x'.repeat(101) }, 'first_name'],
    [{ first_name: null }, 'first_name'],
  ])('PATCH %j → 400 naming %s', async (body, field) => {
    const user = await registerUser(t.http());
    const response = await t.http().patch('/api/v1/users/me').set(bearer(user.accessToken)).send(body);
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({ field, message: expect.any(String) });
    const row = await t.rows.one(users, { id: user.id });
    expect(row).toMatchObject({ role: 'user', kycStatus: 'pending', firstName: 'Ada' });
  });

  it('requires authentication', async () => {
    expect((await t.http().patch('/api/v1/users/me').send({ first_name: 'X' })).status).toBe(401);
  });
});

describe('PATCH /api/v1/users/me/kyc', () => {
  it('lets a rejected user resubmit (rejected → pending) with event and audit', async () => {
    const user = await registerUser(t.http());
    await t.rows.update(users, { id: user.id }, { kycStatus: 'rejected' });
    const response = await t.http().patch('/api/v1/users/me/kyc').set(bearer(user.accessToken)).send({ kyc_status: 'pending' });
    expect(response.status).toBe(200);
    expect(response.body.kyc_status).toBe('pending');
    expect(await t.rows.first(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' })).toMatchObject({
      payload: { email: user.email, kyc_status: 'pending', old_status: 'rejected' },
    });
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'user.kyc.updated' })).toMatchObject({
      actorType: 'user',
      previousState: { kyc_status: 'rejected' },
      newState: { kyc_status: 'pending' },
    });
  });

  it('refuses a user verifying themself with 409 INVALID_KYC_TRANSITION', async () => {
    const user = await registerUser(t.http());
    const response = await t.http().patch('/api/v1/users/me/kyc').set(bearer(user.accessToken)).send({ kyc_status: 'verified' });
    expect(response.status).toBe(409);
    expectErrorEnvelope(response.body, 'INVALID_KYC_TRANSITION');
    expect((await t.rows.one(users, { id: user.id })).kycStatus).toBe('pending');
  });

  it('answers the current status with 200 and records nothing', async () => {
    const user = await registerUser(t.http());
    const response = await t.http().patch('/api/v1/users/me/kyc').set(bearer(user.accessToken)).send({ kyc_status: 'pending' });
    expect(response.status).toBe(200);
    expect(await t.rows.count(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' })).toBe(0);
  });

  it('refuses an unknown status with 400', async () => {
    const user = await registerUser(t.http());
    const response = await t.http().patch('/api/v1/users/me/kyc').set(bearer(user.accessToken)).send({ kyc_status: 'approved' });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({ field: 'kyc_status', message: expect.any(String) });
  });
});

describe('POST /api/v1/users/me/password', () => {
  it('changes the password, keeps the current session and revokes the others', async () => {
    const user = await registerUser(t.http());
    const otherDevice = await logIn(t.http(), user.email, user.password);
    const response = await t
      .http()
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ current_password: user.password, new_password: 'a brand new passphrase' });
    expect(response.status).toBe(204);
    expect((await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).status).toBe(200);
    expect((await t.http().get('/api/v1/users/me').set(bearer(otherDevice.accessToken))).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: 'a brand new passphrase' })).status).toBe(200);
    const events = await t.rows.find(
      outboxEvents,
      { aggregateId: user.id, eventType: ['user.password.changed', 'session.revoked'] },
      { orderBy: 'seq' },
    );
    expect(events.map((event) => [event.eventType, event.payload])).toEqual([
      ['user.password.changed', { email: user.email }],
      ['session.revoked', { session_ids: [otherDevice.sessionId], reason: 'password_changed' }],
    ]);
  });

  it('records the change in the audit trail: action change_password by the user, sensitive, with neither password', async () => {
    const user = await registerUser(t.http());
    const otherDevice = await logIn(t.http(), user.email, user.password);
    const newPassword = 'another brand new passphrase';
    const response = await t
      .http()
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ current_password: user.password, new_password: newPassword })
      .expect(204);
    const row = await onlyAuditRow(t.rows, user.id, 'user.password.changed');
    expect(row).toMatchObject({
      action: 'change_password',
      status: 'success',
      actorType: 'user',
      actorIdentifier: user.email,
      sessionId: user.sessionId,
      requestId: response.headers['x-request-id'],
      isSensitive: true,
      metadata: { revoked_sessions: 1 },
    });
    expectNoSecretIn(row, user, [newPassword, otherDevice.accessToken, otherDevice.refreshToken]);
  });

  it('refuses a wrong current password with 401 INVALID_CREDENTIALS and records the attempt', async () => {
    const user = await registerUser(t.http());
    const response = await t
      .http()
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ current_password: 'not my password', new_password: 'a brand new passphrase' });
    expect(response.status).toBe(401);
    expectErrorEnvelope(response.body, 'INVALID_CREDENTIALS');
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'user.password.changed' })).toMatchObject({
      status: 'failure',
    });
    expect((await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).status).toBe(200);
  });

  it('applies the password policy to the new password', async () => {
    const user = await registerUser(t.http());
    const response = await t
      .http()
      .post('/api/v1/users/me/password')
      .set(bearer(user.accessToken))
      .send({ current_password: user.password, new_password: 'password' });
    expect(response.status).toBe(422);
    expectErrorEnvelope(response.body, 'WEAK_PASSWORD');
  });

  it('validates the body', async () => {
    const user = await registerUser(t.http());
    const response = await t.http().post('/api/v1/users/me/password').set(bearer(user.accessToken)).send({ new_password: 'x' });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({ field: 'current_password', message: 'Required.' });
  });
});

describe('DELETE /api/v1/users/me', () => {
  it('soft-deletes the account, revokes every session and announces it', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    expect((await t.http().delete('/api/v1/users/me').set(bearer(user.accessToken))).status).toBe(204);
    for (const token of [user.accessToken, second.accessToken]) {
      expect((await t.http().get('/api/v1/users/me').set(bearer(token))).status).toBe(401);
    }
    const row = await t.rows.one(users, { id: user.id });
    expect(row.deletedAt).not.toBeNull();
    const deleted = await t.rows.one(outboxEvents, { aggregateId: user.id, eventType: 'user.deleted' });
    expect(deleted.payload).toEqual({ email: user.email, deleted_at: row.deletedAt?.toISOString() });
    const revoked = await t.rows.one(outboxEvents, { aggregateId: user.id, eventType: 'session.revoked' });
    expect(revoked.payload).toEqual({ session_ids: [user.sessionId, second.sessionId].sort(), reason: 'account_deleted' });
    expect(await t.rows.count(sessions, { userId: user.id, revokedAt: null })).toBe(0);
  });

  it('records the deletion in the audit trail: action delete_user by the user themself, with no secret', async () => {
    const user = await registerUser(t.http());
    const response = await t.http().delete('/api/v1/users/me').set(bearer(user.accessToken)).expect(204);
    const row = await onlyAuditRow(t.rows, user.id, 'user.deleted');
    expect(row).toMatchObject({
      action: 'delete_user',
      status: 'success',
      actorType: 'user',
      actorIdentifier: user.email,
      resourceId: user.id,
      sessionId: user.sessionId,
      requestId: response.headers['x-request-id'],
      previousState: { email: user.email, deleted_at: null },
      newState: { deleted_at: expect.any(String) },
    });
    expectNoSecretIn(row, user);
  });
});
