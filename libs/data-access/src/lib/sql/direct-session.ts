import type pg from 'pg';

/** The connection that was meant to be a session of its own goes through a connection pooler. */
export class NotADirectSessionError extends Error {
  constructor(what: string) {
    super(
      `${what} needs a PostgreSQL session of its own, but its connection goes through a pooler ` +
        '(the server process answering is not the one that accepted the connection): point ' +
        'DATABASE_DIRECT_URL at PostgreSQL itself, not at PgBouncer (docs/database.md, "Connection poolers")',
    );
    this.name = 'NotADirectSessionError';
  }
}

/**
 * Confirms that `client` talks to one PostgreSQL backend of its own, and returns that backend's pid.
 *
 * Session state (advisory locks, LISTEN, SET) only means something on such a connection. Behind a
 * transaction-pooling PgBouncer each transaction may run on another server connection, and a
 * server connection serves many clients: two relays were seen to hold "the" lock at once. A pooler
 * answers the start-up handshake itself, with a cancel key (BackendKeyData) of its own making, so
 * the pid announced there differs from the pid of the backend that runs the queries; PostgreSQL, or
 * a plain TCP proxy, announces the real one.
 */
export async function confirmDirectSession(client: pg.Client, what: string): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = rows[0]?.pid;
  const announced = (client as unknown as { processID: number | null }).processID;
  if (pid === undefined || pid !== announced) throw new NotADirectSessionError(what);
  return pid;
}
