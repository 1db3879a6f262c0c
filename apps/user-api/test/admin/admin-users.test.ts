import { randomUUID } from 'node:crypto';
import { auditLogs, outboxEvents, users } from '@pandora/data-access';
import { adminUserDtoSchema } from '../../src/http/schemas/admin.schemas';
import { bearer, createAdmin, eventually, expectErrorEnvelope, logIn, registerUser, type AdminSession } from '../support/fixtures';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';

let t: TestUserApi;
let admin: AdminSession;
beforeAll(async () => {
  t = await startTestUserApi();
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

const as = (token: string) => bearer(token);
const adminGet = (path: string) => t.admin().get(path).set(as(admin.accessToken));

describe('GET /api/v1/admin/users', () => {
  let tag: string;
  beforeAll(async () => {
    // A private population, told apart from other tests' users by a unique last name.
    tag = `Zz${randomUUID().slice(0, 6)}`;
    const people = [
      { first_name: 'Alice', kyc: 'verified' },
      { first_name: 'Bob', kyc: 'pending' },
      { first_name: 'Carol', kyc: 'rejected' },
      { first_name: 'Dan_100%', kyc: 'pending' },
      { first_name: 'Dan 100 pct', kyc: 'pending' },
    ];
    for (const person of people) {
      const user = await registerUser(t.http(), { first_name: person.first_name, last_name: tag });
      if (person.kyc !== 'pending') await t.rows.update(users, { id: user.id }, { kycStatus: person.kyc as 'verified' });
    }
    const deleted = await registerUser(t.http(), { first_name: 'Erin', last_name: tag });
    await t.http().delete('/api/v1/users/me').set(bearer(deleted.accessToken)).expect(204);
  });

  it('searches email, first and last name case-insensitively and returns the total', async () => {
    const response = await adminGet(`/api/v1/admin/users?query=${tag.toLowerCase()}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ total: 5, limit: 20, offset: 0 });
    expect(response.body.users).toHaveLength(5);
    for (const user of response.body.users) expect(adminUserDtoSchema.safeParse(user).success).toBe(true);
    expect(response.body.users.map((u: { first_name: string }) => u.first_name)).toEqual([
      'Dan 100 pct',
      'Dan_100%',
      'Carol',
      'Bob',
      'Alice',
    ]);
  });

  it('treats % and _ in the query literally', async () => {
    const percent = await adminGet(`/api/v1/admin/users?query=${encodeURIComponent('100%')}`);
    expect(percent.body.users.map((u: { first_name: string }) => u.first_name)).toEqual(['Dan_100%']);
    const underscore = await adminGet(`/api/v1/admin/users?query=${encodeURIComponent('n_1')}`);
    expect(underscore.body.users.map((u: { first_name: string }) => u.first_name)).toEqual(['Dan_100%']);
  });

  it('filters by KYC status and role, and pages with limit and offset', async () => {
    const verified = await adminGet(`/api/v1/admin/users?query=${tag}&kyc_status=verified`);
    expect(verified.body).toMatchObject({ total: 1, users: [expect.objectContaining({ first_name: 'Alice' })] });
    const admins = await adminGet(`/api/v1/admin/users?query=${tag}&role=admin`);
    expect(admins.body.total).toBe(0);
    const page = await adminGet(`/api/v1/admin/users?query=${tag}&limit=2&offset=2&role=&kyc_status=`);
    expect(page.body).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(page.body.users.map((u: { first_name: string }) => u.first_name)).toEqual(['Carol', 'Bob']);
    const beyond = await adminGet(`/api/v1/admin/users?query=${tag}&offset=50`);
    expect(beyond.body).toMatchObject({ total: 5, users: [] });
  });

  it('shows deleted users only with include_deleted=true', async () => {
    const all = await adminGet(`/api/v1/admin/users?query=${tag}&include_deleted=true`);
    expect(all.body.total).toBe(6);
    const erin = all.body.users.find((u: { first_name: string }) => u.first_name === 'Erin');
    expect(erin).toMatchObject({ is_active: false, deleted_at: expect.any(String), locked_until: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['offset=-5', 'offset'],
    ['offset=1e3', 'offset'],
    ['role=superuser', 'role'],
    ['kyc_status=approved', 'kyc_status'],
    ['include_deleted=yes', 'include_deleted'],
    ['sort=email', 'sort'],
    [`query=${'x'.repeat(255)}`, 'query'],
  ])('refuses %s with 400 naming %s', async (queryString, field) => {
    const response = await adminGet(`/api/v1/admin/users?${queryString}`);
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({ field, message: expect.any(String) });
  });
});

describe('GET /api/v1/admin/users/:id', () => {
  it('returns an AdminUser, deleted ones included', async () => {
    const user = await registerUser(t.http());
    expect((await adminGet(`/api/v1/admin/users/${user.id}`)).body).toMatchObject({ id: user.id, is_active: true, deleted_at: null });
    await t.http().delete('/api/v1/users/me').set(bearer(user.accessToken)).expect(204);
    expect((await adminGet(`/api/v1/admin/users/${user.id}`)).body).toMatchObject({ id: user.id, is_active: false });
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    expect((await adminGet('/api/v1/admin/users/123')).status).toBe(400);
    expect((await adminGet(`/api/v1/admin/users/${randomUUID()}`)).status).toBe(404);
  });
});

describe('KYC decisions', () => {
  it.each(['patch', 'put'] as const)(
    '%s moves pending → verified, records the admin as actor and emits the real old_status',
    async (method) => {
      const user = await registerUser(t.http());
      const response = await t
        .admin()
        [method](`/api/v1/admin/users/${user.id}/kyc`)
        .set(as(admin.accessToken))
        .send({ kyc_status: 'verified' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ kyc_status: 'verified', is_active: true });
      expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'user.kyc.updated' })).toMatchObject({
        actorType: 'admin',
        actorIdentifier: admin.email,
        previousState: { kyc_status: 'pending' },
        newState: { kyc_status: 'verified' },
      });
      expect(await t.rows.first(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' })).toMatchObject({
        payload: { email: user.email, kyc_status: 'verified', old_status: 'pending' },
        metadata: expect.objectContaining({ actor_id: admin.id, actor_type: 'admin' }),
      });
    },
  );

  it('refuses an admin deciding their own KYC with 403, as their own role', async () => {
    const response = await t
      .admin()
      .patch(`/api/v1/admin/users/${admin.id}/kyc`)
      .set(as(admin.accessToken))
      .send({ kyc_status: 'verified' });
    expect(response.status).toBe(403);
    expectErrorEnvelope(response.body, 'FORBIDDEN');
    expect(response.body.error.message).toMatch(/own KYC/);
    expect((await t.rows.one(users, { id: admin.id })).kycStatus).toBe('pending');
    expect(await t.rows.count(auditLogs, { userId: admin.id, eventType: 'user.kyc.updated' })).toBe(0);
  });

  it('follows the transition table: verified → rejected → pending allowed, rejected → verified refused', async () => {
    const user = await registerUser(t.http());
    const change = (kyc_status: string) =>
      t.admin().patch(`/api/v1/admin/users/${user.id}/kyc`).set(as(admin.accessToken)).send({ kyc_status });
    expect((await change('verified')).status).toBe(200);
    expect((await change('pending')).status).toBe(409);
    expect((await change('rejected')).status).toBe(200);
    const refused = await change('verified');
    expect(refused.status).toBe(409);
    expectErrorEnvelope(refused.body, 'INVALID_KYC_TRANSITION');
    expect((await change('pending')).status).toBe(200);
    const events = await t.rows.find(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' }, { orderBy: 'seq' });
    expect(events.map((event) => event.payload as { old_status: string; kyc_status: string })).toEqual([
      { email: user.email, old_status: 'pending', kyc_status: 'verified' },
      { email: user.email, old_status: 'verified', kyc_status: 'rejected' },
      { email: user.email, old_status: 'rejected', kyc_status: 'pending' },
    ]);
  });

  it('treats the current status as a no-op without event or audit', async () => {
    const user = await registerUser(t.http());
    expect(
      (await t.admin().patch(`/api/v1/admin/users/${user.id}/kyc`).set(as(admin.accessToken)).send({ kyc_status: 'pending' })).status,
    ).toBe(200);
    expect(await t.rows.count(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' })).toBe(0);
    expect(await t.rows.count(auditLogs, { userId: user.id, eventType: 'user.kyc.updated' })).toBe(0);
  });

  it('keeps old_status right under concurrent decisions', async () => {
    const user = await registerUser(t.http());
    const results = await Promise.all(
      ['verified', 'rejected'].map((kyc_status) =>
        t.admin().patch(`/api/v1/admin/users/${user.id}/kyc`).set(as(admin.accessToken)).send({ kyc_status }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    const events = await t.rows.find(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' }, { orderBy: 'seq' });
    const transitions = events.map((event) => event.payload as { old_status: string; kyc_status: string });
    // Either both applied in some order (pending→x then x→y) or the second was refused; never two changes from "pending".
    expect(transitions.filter((transition) => transition.old_status === 'pending')).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(transitions.length);
  });

  it('validates the body and the id', async () => {
    const user = await registerUser(t.http());
    const unknownStatus = await t
      .admin()
      .patch(`/api/v1/admin/users/${user.id}/kyc`)
      .set(as(admin.accessToken))
      .send({ kyc_status: 'approved' });
    expect(unknownStatus.status).toBe(400);
    expect(
      (await t.admin().patch(`/api/v1/admin/users/${randomUUID()}/kyc`).set(as(admin.accessToken)).send({ kyc_status: 'verified' })).status,
    ).toBe(404);
    expect(
      (await t.admin().patch(`/api/v1/admin/users/${user.id}/kyc`).set(as(admin.accessToken)).send({ kyc_status: 'verified', note: 'x' }))
        .status,
    ).toBe(400);
  });
});

describe('role changes', () => {
  it('promotes a user, emits user.role.changed and cuts their existing tokens within 1 s', async () => {
    const user = await registerUser(t.http());
    const response = await t.admin().patch(`/api/v1/admin/users/${user.id}/role`).set(as(admin.accessToken)).send({ role: 'admin' });
    expect(response.status).toBe(200);
    expect(response.body.role).toBe('admin');
    await eventually(async () => (await t.http().get('/api/v1/users/me').set(bearer(user.accessToken))).status === 401, 1000);
    expect(await t.rows.first(outboxEvents, { aggregateId: user.id, eventType: 'user.role.changed' })).toMatchObject({
      payload: { email: user.email, role: 'admin', old_role: 'user' },
    });
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'user.role.changed' })).toMatchObject({
      actorType: 'admin',
      previousState: { role: 'user' },
      newState: { role: 'admin' },
    });
    // The promoted user logs in again and now passes the admin check.
    const login = await t.admin().post('/api/v1/admin/auth/login').send({ email: user.email, password: user.password });
    expect(login.status).toBe(200);
    expect((await t.admin().get('/api/v1/admin/stats').set(bearer(login.body.access_token))).status).toBe(200);
  });

  it('demotes an admin (PUT) and their admin token stops working within 1 s', async () => {
    const other = await createAdmin(t);
    expect((await t.admin().get('/api/v1/admin/stats').set(bearer(other.accessToken))).status).toBe(200);
    expect((await t.admin().put(`/api/v1/admin/users/${other.id}/role`).set(as(admin.accessToken)).send({ role: 'user' })).status).toBe(
      200,
    );
    await eventually(async () => (await t.admin().get('/api/v1/admin/stats').set(bearer(other.accessToken))).status === 401, 1000);
  });

  it('refuses an admin changing their own role with 403', async () => {
    const response = await t.admin().patch(`/api/v1/admin/users/${admin.id}/role`).set(as(admin.accessToken)).send({ role: 'user' });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toMatch(/own role/);
    expect((await t.rows.one(users, { id: admin.id })).role).toBe('admin');
  });

  it('refuses an unknown role with 400', async () => {
    const user = await registerUser(t.http());
    expect((await t.admin().patch(`/api/v1/admin/users/${user.id}/role`).set(as(admin.accessToken)).send({ role: 'root' })).status).toBe(
      400,
    );
  });
});

describe('deletion', () => {
  it('soft-deletes a user, revokes their sessions within 1 s and records the admin', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    expect((await t.admin().delete(`/api/v1/admin/users/${user.id}`).set(as(admin.accessToken))).status).toBe(204);
    for (const token of [user.accessToken, second.accessToken]) {
      await eventually(async () => (await t.http().get('/api/v1/users/me').set(bearer(token))).status === 401, 1000);
    }
    expect(await t.rows.first(auditLogs, { userId: user.id, eventType: 'user.deleted' })).toMatchObject({
      actorType: 'admin',
      actorIdentifier: admin.email,
    });
    expect((await t.admin().delete(`/api/v1/admin/users/${user.id}`).set(as(admin.accessToken))).status).toBe(404);
  });

  it('refuses an admin deleting themself, on the admin API and through /users/me', async () => {
    expect((await t.admin().delete(`/api/v1/admin/users/${admin.id}`).set(as(admin.accessToken))).status).toBe(403);
    expect((await t.http().delete('/api/v1/users/me').set(as(admin.accessToken))).status).toBe(403);
    expect((await t.rows.one(users, { id: admin.id })).deletedAt).toBeNull();
  });
});

describe("a user's sessions", () => {
  it('lists them and revokes them all', async () => {
    const user = await registerUser(t.http());
    const second = await logIn(t.http(), user.email, user.password);
    const list = await adminGet(`/api/v1/admin/users/${user.id}/sessions`);
    expect(list.status).toBe(200);
    expect(list.body.sessions.map((s: { id: string }) => s.id)).toEqual([second.sessionId, user.sessionId]);
    expect((await t.admin().delete(`/api/v1/admin/users/${user.id}/sessions`).set(as(admin.accessToken))).status).toBe(204);
    await eventually(async () => (await t.http().get('/api/v1/users/me').set(bearer(second.accessToken))).status === 401, 1000);
    expect((await adminGet(`/api/v1/admin/users/${user.id}/sessions`)).body.sessions).toEqual([]);
    expect(await t.rows.first(outboxEvents, { aggregateId: user.id, eventType: 'session.revoked' })).toMatchObject({
      payload: { session_ids: [user.sessionId, second.sessionId].sort(), reason: 'admin_revoked' },
    });
  });

  it('answers 404 for an unknown user', async () => {
    expect((await adminGet(`/api/v1/admin/users/${randomUUID()}/sessions`)).status).toBe(404);
    expect((await t.admin().delete(`/api/v1/admin/users/${randomUUID()}/sessions`).set(as(admin.accessToken))).status).toBe(404);
  });
});
