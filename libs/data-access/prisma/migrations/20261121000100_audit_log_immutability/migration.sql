-- The audit trail is immutable, whatever the application (or an operator with SQL access) does:
--  * no row is ever updated;
--  * a row can only be deleted once its retention period is over (retention_until <= now());
--  * TRUNCATE, which bypasses row triggers, is refused altogether.
-- audit-cleanup-worker deletes expired rows only; this trigger is the last line of defence.

CREATE OR REPLACE FUNCTION audit_logs_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'audit_logs is append-only: row % cannot be updated', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' AND OLD.retention_until > now() THEN
    RAISE EXCEPTION 'audit_logs row % is retained until %; it cannot be deleted before then', OLD.id, OLD.retention_until
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'audit_logs cannot be truncated; expired rows are deleted by audit-cleanup-worker'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END;
$$;

CREATE TRIGGER audit_logs_no_update
  BEFORE UPDATE ON "audit_logs"
  FOR EACH ROW EXECUTE FUNCTION audit_logs_guard();

CREATE TRIGGER audit_logs_retention_delete
  BEFORE DELETE ON "audit_logs"
  FOR EACH ROW EXECUTE FUNCTION audit_logs_guard();

CREATE TRIGGER audit_logs_no_truncate
  BEFORE TRUNCATE ON "audit_logs"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_guard();
