import { users } from '@pandora/data-access';
import { createTestDatabase, PrivatePgBouncer, readInfrastructure, withPgClient, type TestDatabase } from '@pandora/testing';
import { bearer, createAdmin, logIn, registerUser, type AdminSession } from './support/fixtures';
import { startTestUserApi, type TestUserApi } from './support/test-user-api';

/**
 * user-api with DATABASE_URL pointing at a real PgBouncer in transaction pooling mode, which
 * accepts no start-up parameter (none is ignored) and shares two server connections among every
 * client, in front of a database whose time zone is Asia/Tokyo. The flows must behave as they do
 * on a direct connection, and every timestamp must be the real instant.
 */
let db: TestDatabase;
let bouncer: PrivatePgBouncer;
let t: TestUserApi;
let admin: AdminSession;

beforeAll(async () => {
  db = await createTestDatabase();
  await withPgClient(db.url, (client) => client.query(`ALTER DATABASE "${db.name}" SET timezone TO 'Asia/Tokyo'`));
  bouncer = await PrivatePgBouncer.start({ upstreamUrl: readInfrastructure().adminDatabaseUrl, poolMode: 'transaction', poolSize: 2 });
  t = await startTestUserApi({ db, env: { DATABASE_URL: bouncer.url(db.name), DATABASE_DIRECT_URL: db.url } });
  admin = await createAdmin(t);
}, 60_000);
afterAll(async () => {
  await t?.stop();
  await bouncer?.destroy();
  await db?.drop();
});

/** The instant PostgreSQL stored, formatted by PostgreSQL itself in UTC (no client-side parsing involved). */
async function storedInstant(sql: string, id: string): Promise<string> {
  return withPgClient(db.url, async (client) => {
    await client.query("SET TimeZone = 'UTC'");
    const { rows } = await client.query<{ at: string }>(`SELECT to_char(${sql}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at`, [id]);
    return rows[0]?.at as string;
  });
}

describe('user-api behind a transaction-pooling PgBouncer', () => {
  it('really goes through PgBouncer, to a database in Asia/Tokyo', async () => {
    const answer = await withPgClient(bouncer.url(db.name), (client) =>
      client.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz"),
    );
    expect(answer.rows[0]?.tz).toBe('Asia/Tokyo');
    expect((await t.http().get('/ready')).body).toMatchObject({ status: 'ready', checks: { database: 'up' } });
  });

  it('registers, logs in, refreshes, answers /me and changes the password', async () => {
    const before = Date.now();
    const user = await registerUser(t.http());
    const me = await t.http().get('/api/v1/users/me').set(bearer(user.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, email: user.email });

    // The timestamp is the real instant: what the API shows is what PostgreSQL stored, and that is now.
    const stored = await storedInstant('(SELECT created_at FROM users WHERE id = $1::uuid)', user.id);
    expect(me.body.created_at).toBe(stored);
    expect(Math.abs(Date.parse(stored) - before)).toBeLessThan(5 * 60_000);

    const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: user.refreshToken });
    expect(refreshed.status).toBe(200);
    const sessions = await t.http().get('/api/v1/users/me/sessions').set(bearer(refreshed.body.access_token));
    expect(sessions.status).toBe(200);
    const session = (sessions.body.sessions as Array<{ id: string; expires_at: string; created_at: string }>).find(
      (candidate) => candidate.id === user.sessionId,
    );
    expect(session?.expires_at).toBe(await storedInstant('(SELECT expires_at FROM sessions WHERE id = $1::uuid)', user.sessionId));
    expect(session?.created_at).toBe(await storedInstant('(SELECT created_at FROM sessions WHERE id = $1::uuid)', user.sessionId));

    const changed = await t
      .http()
      .post('/api/v1/users/me/password')
      .set(bearer(refreshed.body.access_token))
      .send({ current_password: user.password, new_password: 'a passphrase behind the pooler' });
    expect(changed.status).toBe(204);
    await expect(logIn(t.http(), user.email, user.password)).rejects.toThrow(/401/);
    expect((await logIn(t.http(), user.email, 'a passphrase behind the pooler')).id).toBe(user.id);
  });

  it('lists users and changes KYC status through the admin API', async () => {
    const user = await registerUser(t.http(), { last_name: 'Pooled' });
    const list = await t.admin().get('/api/v1/admin/users?query=Pooled').set(bearer(admin.accessToken));
    expect(list.status).toBe(200);
    expect(list.body.users.map((entry: { id: string }) => entry.id)).toContain(user.id);

    const kyc = await t.admin().put(`/api/v1/admin/users/${user.id}/kyc`).set(bearer(admin.accessToken)).send({ kyc_status: 'verified' });
    expect(kyc.status).toBe(200);
    expect((await t.rows.one(users, { id: user.id })).kycStatus).toBe('verified');
    expect(kyc.body.updated_at).toBe(await storedInstant('(SELECT updated_at FROM users WHERE id = $1::uuid)', user.id));
  });
  it('keeps its read cache behind the pooler: changes committed through PgBouncer reach the LISTEN session on PostgreSQL itself', async () => {
    const user = await registerUser(t.http());
    const me = () => t.http().get('/api/v1/users/me').set(bearer(user.accessToken)).expect(200);
    await me();
    await me();
    const { text } = await t.admin().get('/metrics').expect(200);
    expect(text).toMatch(/^read_cache_current 1$/m);
    expect(text).toMatch(/^read_cache_lookups_total\{cache="user",result="hit"\} [1-9]/m);
    for (const name of ['Ada', 'Grace', 'Hedy']) {
      await t.http().patch('/api/v1/users/me').set(bearer(user.accessToken)).send({ first_name: name }).expect(200);
      expect((await me()).body.first_name).toBe(name);
    }
  });
});
