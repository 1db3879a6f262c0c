-- Every process of user-api and user-grpc keeps the users and sessions it read in memory
-- (docs/caching.md). The database itself announces each change of those rows, so no code path, CLI,
-- migration or hand-written UPDATE can change a user behind the caches' back: an AFTER trigger
-- NOTIFYs `pandora_read_cache` with 'u:<user id>' or 's:<session id>'. PostgreSQL delivers a
-- notification only if its transaction commits, and to every listening session of this database.
--
-- Sessions: only what authenticating a request reads of a session (revoked_at, the absolute expiry,
-- aal, the owner) announces a change; a refresh, which moves last_used_at and expires_at, does not.
-- An INSERT needs no announcement: a session id is random and no access token names it before the
-- session has committed, so no process can have read it as missing.

CREATE OR REPLACE FUNCTION read_cache_announce() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pandora_read_cache', TG_ARGV[0] || ':' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER users_read_cache_announce
  AFTER INSERT OR UPDATE OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION read_cache_announce('u');

CREATE TRIGGER sessions_read_cache_announce_update
  AFTER UPDATE ON "sessions"
  FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
     OR OLD.absolute_expires_at IS DISTINCT FROM NEW.absolute_expires_at
     OR OLD.aal IS DISTINCT FROM NEW.aal
     OR OLD.user_id IS DISTINCT FROM NEW.user_id)
  EXECUTE FUNCTION read_cache_announce('s');

CREATE TRIGGER sessions_read_cache_announce_delete
  AFTER DELETE ON "sessions"
  FOR EACH ROW EXECUTE FUNCTION read_cache_announce('s');
