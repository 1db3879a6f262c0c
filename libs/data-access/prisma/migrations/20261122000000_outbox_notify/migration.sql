-- event-relay wakes up on commit instead of polling: every transaction that inserts outbox rows
-- sends one notification on the `outbox_events` channel when it commits (PostgreSQL delivers
-- NOTIFY at commit, never for a rolled-back transaction, and folds identical notifications of one
-- transaction into one). The payload is empty on purpose: the relay reads the table, which is the
-- only source of truth, so a lost notification costs latency (the relay's polling fallback), never
-- an event. Statement-level, so a multi-row INSERT costs one call.

CREATE OR REPLACE FUNCTION outbox_events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_events', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_events_notify
  AFTER INSERT ON "outbox_events"
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify();
