import { randomUUID } from 'node:crypto';
import { EVENT_PAYLOAD_SCHEMAS } from '@pandora/domain';
import { bearer, createAdmin, registerUser, type AdminSession, type RegisteredUser } from '../support/fixtures';
import { onlyAuditRow } from '../support/audit-rows';
import { startTestUserApi, type TestUserApi } from '../support/test-user-api';
import { auditLogs, outboxEvents, users } from '@pandora/data-access';

/**
 * What the admin console's KYC queue needs from the admin API: pending users oldest first
 * (`sort=created_at`), and decisions that carry the reviewer's reason into the audit row and the
 * `user.kyc.updated` event.
 */
let t: TestUserApi;
let admin: AdminSession;
beforeAll(async () => {
  t = await startTestUserApi();
  admin = await createAdmin(t);
});
afterAll(() => t.stop());

const adminGet = (path: string) => t.admin().get(path).set(bearer(admin.accessToken));
const decide = (userId: string, body: object, method: 'patch' | 'put' = 'patch') =>
  t.admin()[method](`/api/v1/admin/users/${userId}/kyc`).set(bearer(admin.accessToken)).send(body);

describe('GET /api/v1/admin/users?sort=', () => {
  let tag: string;
  let people: RegisteredUser[];
  beforeAll(async () => {
    tag = `Qq${randomUUID().slice(0, 6)}`;
    people = [];
    // Sequential: each registration commits after the previous one, so created_at increases.
    for (const first_name of ['First', 'Second', 'Third', 'Fourth'])
      people.push(await registerUser(t.http(), { first_name, last_name: tag }));
    await t.rows.update(users, { id: (people[1] as RegisteredUser).id }, { kycStatus: 'verified' });
  });
  const names = (body: { users: Array<{ first_name: string }> }) => body.users.map((user) => user.first_name);

  it('lists newest first by default and with sort=-created_at', async () => {
    expect(names((await adminGet(`/api/v1/admin/users?query=${tag}`)).body)).toEqual(['Fourth', 'Third', 'Second', 'First']);
    expect(names((await adminGet(`/api/v1/admin/users?query=${tag}&sort=-created_at`)).body)).toEqual([
      'Fourth',
      'Third',
      'Second',
      'First',
    ]);
  });

  it('lists oldest first with sort=created_at, and pages in that order', async () => {
    expect(names((await adminGet(`/api/v1/admin/users?query=${tag}&sort=created_at`)).body)).toEqual([
      'First',
      'Second',
      'Third',
      'Fourth',
    ]);
    const second = await adminGet(`/api/v1/admin/users?query=${tag}&sort=created_at&limit=2&offset=2`);
    expect(second.body).toMatchObject({ total: 4, limit: 2, offset: 2 });
    expect(names(second.body)).toEqual(['Third', 'Fourth']);
  });

  it('gives the KYC queue: pending users, oldest first', async () => {
    const queue = await adminGet(`/api/v1/admin/users?query=${tag}&kyc_status=pending&sort=created_at`);
    expect(queue.status).toBe(200);
    expect(queue.body.total).toBe(3);
    expect(names(queue.body)).toEqual(['First', 'Third', 'Fourth']);
  });

  it('treats an empty sort as the default', async () => {
    expect(names((await adminGet(`/api/v1/admin/users?query=${tag}&sort=`)).body)).toEqual(['Fourth', 'Third', 'Second', 'First']);
  });

  it.each(['email', 'created', '+created_at', 'created_at,-id'])('refuses sort=%s with 400 naming sort', async (sort) => {
    const response = await adminGet(`/api/v1/admin/users?sort=${encodeURIComponent(sort)}`);
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({ field: 'sort', message: expect.stringContaining('created_at') });
  });
});

describe('PATCH /api/v1/admin/users/:id/kyc with a reason', () => {
  it.each(['patch', 'put'] as const)('%s keeps the trimmed reason in the audit row metadata and the event payload', async (method) => {
    const user = await registerUser(t.http());
    const response = await decide(user.id, { kyc_status: 'verified', reason: '  passport checked by video call  ' }, method);
    expect(response.status).toBe(200);
    expect(response.body.kyc_status).toBe('verified');

    const row = await onlyAuditRow(t.rows, user.id, 'user.kyc.updated');
    expect(row.metadata).toEqual({ rules: 'admin', reason: 'passport checked by video call' });
    expect(row).toMatchObject({ previousState: { kyc_status: 'pending' }, newState: { kyc_status: 'verified' } });
    const event = await t.rows.one(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' });
    expect(event.payload).toEqual({
      email: user.email,
      kyc_status: 'verified',
      old_status: 'pending',
      reason: 'passport checked by video call',
    });
    expect(EVENT_PAYLOAD_SCHEMAS['user.kyc.updated'].parse(event.payload)).toEqual(event.payload);
  });

  it('shows the reason through the audit-log API', async () => {
    const user = await registerUser(t.http());
    await decide(user.id, { kyc_status: 'rejected', reason: 'document expired' }).expect(200);
    const page = await adminGet(`/api/v1/admin/audit-logs?user_id=${user.id}&event_type=user.kyc.updated`);
    expect(page.body.items).toEqual([
      expect.objectContaining({ event_type: 'user.kyc.updated', metadata: { rules: 'admin', reason: 'document expired' } }),
    ]);
  });

  it.each([
    ['absent', {}],
    ['blank', { reason: '   ' }],
  ])('records no reason when it is %s', async (_case, extra) => {
    const user = await registerUser(t.http());
    expect((await decide(user.id, { kyc_status: 'verified', ...extra })).status).toBe(200);
    expect((await onlyAuditRow(t.rows, user.id, 'user.kyc.updated')).metadata).toEqual({ rules: 'admin' });
    const event = await t.rows.one(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' });
    expect(event.payload).toEqual({ email: user.email, kyc_status: 'verified', old_status: 'pending' });
  });

  it('accepts 500 characters and any script, after trimming', async () => {
    const user = await registerUser(t.http());
    const reason = `${'ß'.repeat(250)}${'名'.repeat(250)}`;
    expect((await decide(user.id, { kyc_status: 'rejected', reason: ` ${reason} ` })).status).toBe(200);
    expect((await onlyAuditRow(t.rows, user.id, 'user.kyc.updated')).metadata).toMatchObject({ reason });
  });

  it.each([
    ['longer than 500 characters', 'x'.repeat(501)],
    ['with a newline', 'first line\nsecond line'],
    ['with a NUL', 'bad\u0000reason'],
    ['not a string', 42],
    ['null', null],
  ])('refuses a reason %s with 400 naming reason, and changes nothing', async (_case, reason) => {
    const user = await registerUser(t.http());
    const response = await decide(user.id, { kyc_status: 'verified', reason });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual({ field: 'reason', message: expect.any(String) });
    expect((await adminGet(`/api/v1/admin/users/${user.id}`)).body.kyc_status).toBe('pending');
    expect(await t.rows.count(auditLogs, { userId: user.id, eventType: 'user.kyc.updated' })).toBe(0);
  });

  it('records nothing, reason included, when the status does not change', async () => {
    const user = await registerUser(t.http());
    expect((await decide(user.id, { kyc_status: 'pending', reason: 'still waiting' })).status).toBe(200);
    expect(await t.rows.count(auditLogs, { userId: user.id, eventType: 'user.kyc.updated' })).toBe(0);
    expect(await t.rows.count(outboxEvents, { aggregateId: user.id, eventType: 'user.kyc.updated' })).toBe(0);
  });
});
