import { randomUUID } from 'node:crypto';
import { createTestDatabase, readInfrastructure, seedWithoutTriggers, withPgClient, type TestDatabase } from '@pandora/testing';

/** The database itself keeps the audit trail immutable (docs/audit-trail.md#immutable), whatever the application does. */
let db: TestDatabase;
/** A DML-only role like production's runtime role (docs/runbooks/deployment.md, "The two database roles"). */
const appRole = `pandora_app_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
let appRoleUrl: string;
beforeAll(async () => {
  db = await createTestDatabase();
  await withPgClient(db.url, async (client) => {
    await client.query(`CREATE ROLE ${appRole} LOGIN`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${appRole}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${appRole}`);
  });
  const url = new URL(db.url);
  url.username = appRole;
  url.password = '';
  appRoleUrl = url.toString();
});
afterAll(async () => {
  await db.drop();
  await withPgClient(readInfrastructure().adminDatabaseUrl, (client) => client.query(`DROP ROLE IF EXISTS ${appRole}`));
});

/** A row retained until the SQL expression `retentionUntil`, written with the triggers off so it may already be expired. */
async function insertAuditRow(retentionUntil: string): Promise<string> {
  const id = randomUUID();
  await seedWithoutTriggers(
    db.url,
    `INSERT INTO audit_logs (id, event_type, event_category, severity, actor_type, action, status, retention_until)
     VALUES ($1, 'user.registered', 'user', 'info', 'user', 'register', 'success', ${retentionUntil})`,
    [id],
  );
  return id;
}

interface Stamped {
  created_at: Date;
  retention_until: Date;
  db_now: Date;
}

/** Inserts as the app's role a row claiming `createdAt` and `retentionUntil`; returns what was stored and the database's now(). */
async function insertAsAppRole(createdAt: string, retentionUntil: string): Promise<Stamped & { id: string }> {
  const id = randomUUID();
  return withPgClient(appRoleUrl, async (client) => {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO audit_logs (id, event_type, event_category, severity, actor_type, action, status, retention_until, created_at)
       VALUES ($1, 'user.login.failed', 'authentication', 'warning', 'user', 'login', 'failure', $2::timestamptz, $3::timestamptz)`,
      [id, retentionUntil, createdAt],
    );
    const { rows } = await client.query<Stamped>('SELECT created_at, retention_until, now() AS db_now FROM audit_logs WHERE id = $1', [id]);
    await client.query('COMMIT');
    return { id, ...(rows[0] as Stamped) };
  });
}

const DAY_MS = 86_400_000;

const sql = (text: string, values: unknown[] = []) => withPgClient(db.url, (client) => client.query(text, values));

describe('audit_logs triggers', () => {
  it('refuse any UPDATE, even of an expired row', async () => {
    const current = await insertAuditRow("now() + interval '30 days'");
    const expired = await insertAuditRow("now() - interval '1 day'");
    await expect(sql("UPDATE audit_logs SET severity = 'critical' WHERE id = $1", [current])).rejects.toThrow(/append-only/);
    await expect(sql("UPDATE audit_logs SET retention_until = now() - interval '1 day' WHERE id = $1", [current])).rejects.toThrow(
      /append-only/,
    );
    await expect(sql("UPDATE audit_logs SET action = 'x' WHERE id = $1", [expired])).rejects.toThrow(/append-only/);
  });

  it('refuse to DELETE a row whose retention has not ended', async () => {
    const id = await insertAuditRow("now() + interval '1 minute'");
    await expect(sql('DELETE FROM audit_logs WHERE id = $1', [id])).rejects.toThrow(/retained until/);
    expect((await sql('SELECT count(*)::int AS n FROM audit_logs WHERE id = $1', [id])).rows[0].n).toBe(1);
  });

  it('allow deleting a row whose retention has ended', async () => {
    const id = await insertAuditRow("now() - interval '1 second'");
    const result = await sql('DELETE FROM audit_logs WHERE id = $1', [id]);
    expect(result.rowCount).toBe(1);
  });

  it('refuse a bulk DELETE that includes a single retained row, deleting nothing', async () => {
    const expired = await insertAuditRow("now() - interval '1 day'");
    const retained = await insertAuditRow("now() + interval '1 day'");
    await expect(sql('DELETE FROM audit_logs WHERE id = ANY($1::uuid[])', [[expired, retained]])).rejects.toThrow(/retained until/);
    expect((await sql('SELECT count(*)::int AS n FROM audit_logs WHERE id = ANY($1::uuid[])', [[expired, retained]])).rows[0].n).toBe(2);
  });

  it('date a back-dated row inserted by the app role with the database clock, keeping its retention period', async () => {
    // An app writing with a clock 3,000 days slow: created_at and retention_until move to the database's now().
    const stored = await insertAsAppRole('2018-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
    expect(Math.abs(stored.created_at.getTime() - stored.db_now.getTime())).toBeLessThanOrEqual(1);
    const period = new Date('2025-01-01T00:00:00Z').getTime() - new Date('2018-01-01T00:00:00Z').getTime();
    expect(Math.abs(stored.retention_until.getTime() - (stored.db_now.getTime() + period))).toBeLessThanOrEqual(1);
    // So the row cannot be deleted, by the app role or anyone else.
    await expect(withPgClient(appRoleUrl, (client) => client.query('DELETE FROM audit_logs WHERE id = $1', [stored.id]))).rejects.toThrow(
      /retained until/,
    );
  });

  it('never let a row be written already expired: a retention period under one day becomes one day', async () => {
    const stored = await insertAsAppRole('2020-01-01T00:00:00Z', '2019-01-01T00:00:00Z');
    expect(Math.abs(stored.retention_until.getTime() - (stored.db_now.getTime() + DAY_MS))).toBeLessThanOrEqual(1);
    await expect(withPgClient(appRoleUrl, (client) => client.query('DELETE FROM audit_logs WHERE id = $1', [stored.id]))).rejects.toThrow(
      /retained until/,
    );
  });

  it('cannot be switched off by the app role', async () => {
    await expect(withPgClient(appRoleUrl, (client) => client.query('SET session_replication_role = replica'))).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      withPgClient(appRoleUrl, (client) => client.query('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_stamp')),
    ).rejects.toThrow(/must be owner/);
  });

  it('refuse TRUNCATE', async () => {
    await insertAuditRow("now() + interval '1 day'");
    await expect(sql('TRUNCATE audit_logs')).rejects.toThrow(/cannot be truncated/);
  });
});
