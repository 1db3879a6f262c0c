import { seedWithoutTriggers, withPgClient } from '@pandora/testing';

/**
 * Seeds rows straight into PostgreSQL with set-based SQL (generate_series), so that tens of
 * thousands of rows take milliseconds. Every row carries a `label` (in a column the worker ignores)
 * saying which side of its cutoff it was put on, so a test can tell exactly which rows survived.
 * Timestamps are SQL interval expressions relative to the database's now(). Audit rows cannot be
 * updated, and the database dates them itself on insert (triggers), so expired ones are inserted with
 * the triggers off and a past retention_until from the start.
 */
export interface SeedSpec {
  label: string;
  count?: number;
}

export const sql = <T extends Record<string, unknown> = Record<string, unknown>>(url: string, text: string, values: unknown[] = []) =>
  withPgClient(url, async (client) => (await client.query<T>(text, values)).rows);

/** Audit rows with retention_until = now() + `retention` (a signed SQL interval); label in action. */
export async function seedAuditRows(url: string, spec: SeedSpec & { retention: string }): Promise<void> {
  await seedWithoutTriggers(
    url,
    `INSERT INTO audit_logs (id, event_type, event_category, severity, actor_type, action, status, retention_until, created_at)
     SELECT gen_random_uuid(), 'user.registered', 'user', 'info', 'user', $1, 'success',
            now() + $3::interval - g * interval '1 millisecond', now() - interval '3000 days'
     FROM generate_series(1, $2::int) AS g`,
    [spec.label, spec.count ?? 1, spec.retention],
  );
}

/**
 * Sessions of one seeded user, each with `tokens` refresh tokens (default 2; one per rotation, so a
 * long-lived session has thousands); label in user_agent.
 * `expires` is relative to now; `revoked` too, or null for a session never revoked.
 */
export async function seedSessions(
  url: string,
  spec: SeedSpec & { expires: string; revoked: string | null; tokens?: number },
): Promise<void> {
  await sql(
    url,
    `WITH owner AS (
       INSERT INTO users (id, email, password_hash, first_name, last_name)
       VALUES (gen_random_uuid(), 'seed.' || gen_random_uuid() || '@example.com', 'x', 'Seed', 'User')
       RETURNING id
     ), created AS (
       INSERT INTO sessions (id, user_id, user_agent, created_at, last_used_at, expires_at, absolute_expires_at, revoked_at, revoked_reason)
       SELECT gen_random_uuid(), owner.id, $1, now() - interval '60 days', now() - interval '60 days',
              now() + $3::interval, now() + $3::interval + interval '1 day',
              now() + $4::interval, CASE WHEN $4::interval IS NULL THEN NULL ELSE 'logout' END
       FROM owner, generate_series(1, $2::int)
       RETURNING id, expires_at
     )
     INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)
     SELECT gen_random_uuid(), created.id, encode(sha256(gen_random_uuid()::text::bytea), 'hex'), now() - interval '60 days', created.expires_at
     FROM created, generate_series(1, $5::int)`,
    [spec.label, spec.count ?? 1, spec.expires, spec.revoked, spec.tokens ?? 2],
  );
}

/** Outbox rows published at now() + `published` (null: never published); label in event_type. */
export async function seedOutboxEvents(url: string, spec: SeedSpec & { published: string | null }): Promise<void> {
  await sql(
    url,
    `INSERT INTO outbox_events (id, event_type, aggregate_id, payload, metadata, occurred_at, created_at, published_at, attempts)
     SELECT gen_random_uuid(), $1, NULL, '{}'::jsonb, '{}'::jsonb, now() - interval '30 days', now() - interval '30 days',
            now() + $3::interval, CASE WHEN $3::interval IS NULL THEN 0 ELSE 1 END
     FROM generate_series(1, $2::int)`,
    [spec.label, spec.count ?? 1, spec.published],
  );
}

/** How many rows of each label are left: { label: count }. */
export async function remainingByLabel(url: string): Promise<{
  audit: Record<string, number>;
  sessions: Record<string, number>;
  tokens: Record<string, number>;
  outbox: Record<string, number>;
}> {
  const tally = (rows: Array<{ label: string; n: number }>) => Object.fromEntries(rows.map((row) => [row.label, row.n]));
  return {
    audit: tally(
      await sql(url, "SELECT action AS label, count(*)::int AS n FROM audit_logs WHERE event_type = 'user.registered' GROUP BY 1"),
    ),
    sessions: tally(await sql(url, 'SELECT user_agent AS label, count(*)::int AS n FROM sessions GROUP BY 1')),
    tokens: tally(
      await sql(
        url,
        'SELECT s.user_agent AS label, count(*)::int AS n FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id GROUP BY 1',
      ),
    ),
    outbox: tally(
      await sql(
        url,
        "SELECT event_type AS label, count(*)::int AS n FROM outbox_events WHERE event_type <> 'audit.retention.completed' GROUP BY 1",
      ),
    ),
  };
}

export async function countRows(url: string, table: 'audit_logs' | 'sessions' | 'refresh_tokens' | 'outbox_events'): Promise<number> {
  const rows = await sql<{ n: number }>(url, `SELECT count(*)::int AS n FROM ${table}`);
  return (rows[0] as { n: number }).n;
}

export interface CompletionEventRow {
  id: string;
  aggregate_id: string | null;
  payload: {
    deleted_audit_logs: number;
    deleted_sessions: number;
    deleted_refresh_tokens: number;
    deleted_outbox_events: number;
    cutoff: string;
  };
  metadata: Record<string, string>;
  published_at: Date | null;
}

export function completionEvents(url: string): Promise<CompletionEventRow[]> {
  return sql<CompletionEventRow & Record<string, unknown>>(
    url,
    "SELECT id, aggregate_id, payload, metadata, published_at FROM outbox_events WHERE event_type = 'audit.retention.completed' ORDER BY seq",
  );
}

/**
 * Records, by a row trigger, which transaction deleted each session and refresh token (cascaded
 * deletes included), and returns a reader of the largest number of such rows one transaction deleted.
 */
export async function watchDeletesPerTransaction(url: string): Promise<() => Promise<{ transactions: number; largest: number }>> {
  await sql(
    url,
    `CREATE UNLOGGED TABLE test_deleted_rows (xid bigint NOT NULL);
     CREATE FUNCTION test_record_delete() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN INSERT INTO test_deleted_rows VALUES (txid_current()); RETURN OLD; END $$;
     CREATE TRIGGER test_record_delete AFTER DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION test_record_delete();
     CREATE TRIGGER test_record_delete AFTER DELETE ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION test_record_delete();`,
  );
  return async () => {
    const [row] = await sql<{ transactions: number; largest: number }>(
      url,
      'SELECT count(*)::int AS transactions, coalesce(max(n), 0)::int AS largest FROM (SELECT count(*) AS n FROM test_deleted_rows GROUP BY xid) AS per_transaction',
    );
    return row as { transactions: number; largest: number };
  };
}
