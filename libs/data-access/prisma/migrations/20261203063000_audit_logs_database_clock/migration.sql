-- The database's clock dates every audit row, not the writer's. Without this, anyone holding the
-- application's role could insert a row claiming to be years old with an expired retention_until,
-- and then delete it (audit_logs_guard allows deleting expired rows), or plant back-dated history.
--
-- created_at becomes now() (the transaction's start, like the cleanup worker's cutoffs), and
-- retention_until keeps the retention period the writer computed — the apps stamp
-- created_at + AUDIT_RETENTION_DAYS — re-anchored at now(). The period is measured in seconds (so a
-- DST change in the session's time zone cannot stretch a "day") and is never shorter than one day,
-- the smallest AUDIT_RETENTION_DAYS, so no row can be written already expired.
--
-- Seeding back-dated rows (tests, benchmarks) needs `SET LOCAL session_replication_role = replica`,
-- which only a superuser may set: ordinary triggers do not fire then. The apps' DML-only role
-- cannot, and cannot drop or disable the trigger either.

CREATE OR REPLACE FUNCTION audit_logs_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  retention_seconds double precision :=
    GREATEST(extract(epoch FROM NEW.retention_until) - extract(epoch FROM NEW.created_at), 86400);
BEGIN
  NEW.created_at := now();
  NEW.retention_until := now() + make_interval(secs => retention_seconds);
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_logs_stamp
  BEFORE INSERT ON "audit_logs"
  FOR EACH ROW EXECUTE FUNCTION audit_logs_stamp();
