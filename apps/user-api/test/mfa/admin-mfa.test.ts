import { bearer, createAdmin, eventually, expectErrorEnvelope, registerUser, uniqueEmail } from '../support/fixtures';
import { claimsOf, enrol, logInWithTotp, passwordStep, sql, StepClock } from '../support/mfa';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

/** Administrators and MFA: the support reset, and the admin listener's second-factor policy. */
describe('DELETE /api/v1/admin/users/:id/mfa', () => {
  let t: TestUserApi;
  const clock = new StepClock();
  beforeAll(async () => {
    t = await startTestUserApi({ clock });
  });
  afterAll(() => t.stop());

  it('removes the factor, revokes every session of the user, and records the admin as actor', async () => {
    const admin = await createAdmin(t);
    const user = await registerUser(t.http());
    const { secret } = await enrol(t.http, user, clock);
    clock.nextStep();
    const sessions = [await logInWithTotp(t.http, user, secret, clock), await logInWithTotp(t.http, user, secret, clock)];

    const reset = await t.admin().delete(`/api/v1/admin/users/${user.id}/mfa`).set(bearer(admin.accessToken));
    expect(reset.status).toBe(204);

    for (const session of [user, ...sessions]) {
      await eventually(async () => (await t.http().get('/api/v1/users/me').set(bearer(session.accessToken))).status === 401, 2_000);
    }
    const login = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(login.body).toMatchObject({ access_token: expect.any(String), user: { mfa_enabled: false } });
    const viewed = await t.admin().get(`/api/v1/admin/users/${user.id}`).set(bearer(admin.accessToken));
    expect(viewed.body).toMatchObject({ id: user.id, mfa_enabled: false });

    const events = await sql<{ event_type: string; payload: Record<string, unknown>; metadata: Record<string, unknown> }>(
      t.db.url,
      "SELECT event_type, payload, metadata FROM outbox_events WHERE aggregate_id = $1 AND event_type IN ('user.mfa.disabled', 'session.revoked') ORDER BY seq",
      [user.id],
    );
    expect(events).toEqual([
      {
        event_type: 'session.revoked',
        payload: { session_ids: [user.sessionId, ...sessions.map((session) => session.sessionId)].sort(), reason: 'mfa_reset' },
        metadata: expect.objectContaining({ actor_id: admin.id, actor_type: 'admin' }),
      },
      {
        event_type: 'user.mfa.disabled',
        payload: { email: user.email, reason: 'admin_reset' },
        metadata: expect.objectContaining({ actor_id: admin.id, actor_type: 'admin' }),
      },
    ]);
    expect(
      await sql(
        t.db.url,
        "SELECT actor_type, actor_identifier, session_id, metadata FROM audit_logs WHERE user_id = $1 AND event_type = 'user.mfa.disabled'",
        [user.id],
      ),
    ).toEqual([
      {
        actor_type: 'admin',
        actor_identifier: admin.email,
        session_id: admin.sessionId,
        metadata: { reason: 'admin_reset', revoked_sessions: 3 },
      },
    ]);
    expect(await sql(t.db.url, 'SELECT mfa_enabled FROM users WHERE id = $1', [user.id])).toEqual([{ mfa_enabled: false }]);
  });

  it('kills a challenge that was waiting for a code', async () => {
    const admin = await createAdmin(t);
    const user = await registerUser(t.http());
    const { secret } = await enrol(t.http, user, clock);
    clock.nextStep();
    const mfaToken = await passwordStep(t.http, user.email, user.password);
    expect((await t.admin().delete(`/api/v1/admin/users/${user.id}/mfa`).set(bearer(admin.accessToken))).status).toBe(204);
    const response = await t
      .http()
      .post('/api/v1/auth/mfa/verify')
      .send({ mfa_token: mfaToken, code: clock.code(secret) });
    expect(response.status).toBe(401);
    expectErrorEnvelope(response.body, 'INVALID_MFA_TOKEN');
  });

  it('changes nothing for a user without MFA, refuses an admin resetting themself, and 404s an unknown user', async () => {
    const admin = await createAdmin(t);
    const user = await registerUser(t.http());
    expect((await t.admin().delete(`/api/v1/admin/users/${user.id}/mfa`).set(bearer(admin.accessToken))).status).toBe(204);
    expect((await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).status).toBe(200);
    expect(
      await sql(t.db.url, "SELECT 1 FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'user.mfa.disabled'", [user.id]),
    ).toEqual([]);

    const self = await t.admin().delete(`/api/v1/admin/users/${admin.id}/mfa`).set(bearer(admin.accessToken));
    expect(self.status).toBe(403);
    expectErrorEnvelope(self.body, 'FORBIDDEN');
    const unknown = await t.admin().delete('/api/v1/admin/users/3f1e5c9a-6b2d-4c8e-9f7a-1b2c3d4e5f60/mfa').set(bearer(admin.accessToken));
    expect(unknown.status).toBe(404);
  });
});

describe('ADMIN_MFA_REQUIRED=true', () => {
  let t: TestUserApi;
  const clock = new StepClock();
  beforeAll(async () => {
    t = await startTestUserApi({ clock, env: { ADMIN_MFA_REQUIRED: 'true' } });
  });
  afterAll(() => t.stop());

  it('refuses every admin route to an aal 1 token with 403 MFA_ENROLMENT_REQUIRED, until the admin enrols and logs in with a code', async () => {
    const email = uniqueEmail('admin');
    const password = 'an administrator passphrase';
    await t.api.useCases.bootstrapAdmin.execute({ email, firstName: 'Grace', lastName: 'Hopper', password: async () => password });
    // Login itself stays open: it is how an administrator gets a token at all.
    const login = await t.admin().post('/api/v1/admin/auth/login').send({ email, password });
    expect(login.status).toBe(200);
    expect(claimsOf(login.body.access_token)).toMatchObject({ aal: 1 });
    for (const [method, path] of [
      ['get', '/api/v1/admin/users'],
      ['get', '/api/v1/admin/stats'],
      ['delete', `/api/v1/admin/users/${login.body.user.id}/sessions`],
    ] as const) {
      const refused = await t.admin()[method](path).set(bearer(login.body.access_token));
      expect(refused.status).toBe(403);
      expectErrorEnvelope(refused.body, 'MFA_ENROLMENT_REQUIRED');
    }
    // The answer comes before any input is looked at.
    const invalid = await t
      .admin()
      .patch('/api/v1/admin/users/not-a-uuid/kyc')
      .set(bearer(login.body.access_token))
      .send({ nonsense: true });
    expectErrorEnvelope(invalid.body, 'MFA_ENROLMENT_REQUIRED');

    // Enrolment goes through the public API, with a public session.
    const publicLogin = await t.http().post('/api/v1/auth/login').send({ email, password });
    const admin = { id: login.body.user.id, email, password, accessToken: publicLogin.body.access_token, refreshToken: '', sessionId: '' };
    const { secret } = await enrol(t.http, admin, clock);
    clock.nextStep();

    const mfaToken = await passwordStep(t.admin, email, password, '/api/v1/admin/auth/login');
    const verified = await t
      .admin()
      .post('/api/v1/admin/auth/mfa/verify')
      .send({ mfa_token: mfaToken, code: clock.code(secret) });
    expect(verified.status).toBe(200);
    expect(claimsOf(verified.body.access_token)).toMatchObject({ aal: 2 });
    expect((await t.admin().get('/api/v1/admin/users').set(bearer(verified.body.access_token))).status).toBe(200);
    // A refresh keeps the level.
    const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: verified.body.refresh_token });
    expect((await t.admin().get('/api/v1/admin/stats').set(bearer(refreshed.body.access_token))).status).toBe(200);
  });

  it('still answers FORBIDDEN to a non-admin, whatever their level', async () => {
    const user = await registerUser(t.http());
    const response = await t.admin().get('/api/v1/admin/users').set(bearer(user.accessToken));
    expect(response.status).toBe(403);
    expectErrorEnvelope(response.body, 'FORBIDDEN');
  });

  it('is off by default in test (the other suites use aal 1 admin tokens)', async () => {
    const plain = await startTestUserApi();
    try {
      const admin = await createAdmin(plain);
      expect((await plain.admin().get('/api/v1/admin/stats').set(bearer(admin.accessToken))).status).toBe(200);
    } finally {
      await plain.stop();
    }
  });
});
