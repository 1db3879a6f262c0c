import { randomUUID } from 'node:crypto';
import { createTestDatabase, withPgClient, type TestDatabase } from '@pandora/testing';

/** The database itself keeps the audit trail immutable (docs/audit-trail.md#immutable), whatever the application does. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

async function insertAuditRow(retentionUntil: string): Promise<string> {
  const id = randomUUID();
  await withPgClient(db.url, (client) =>
    client.query(
      `INSERT INTO audit_logs (id, event_type, event_category, severity, actor_type, action, status, retention_until)
       VALUES ($1, 'user.registered', 'user', 'info', 'user', 'register', 'success', ${retentionUntil})`,
      [id],
    ),
  );
  return id;
}

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

  it('refuse TRUNCATE', async () => {
    await insertAuditRow("now() + interval '1 day'");
    await expect(sql('TRUNCATE audit_logs')).rejects.toThrow(/cannot be truncated/);
  });
});
