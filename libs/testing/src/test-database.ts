import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { databaseUrlFor, readInfrastructure, withPgClient } from './test-infrastructure';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, fully migrated database for one suite: a copy of the run's template (milliseconds,
 * instead of running every migration again).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const infra = readInfrastructure();
  const name = `pandora_test_${infra.runId}_${randomBytes(4).toString('hex')}`;
  // Copying a template fails while another session is connected to it; suites starting at the same
  // moment can collide on that, so retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await withPgClient(infra.adminDatabaseUrl, (client) =>
        client.query(`CREATE DATABASE "${name}" TEMPLATE "${infra.templateDatabase}"`),
      );
      break;
    } catch (error) {
      if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + attempt * 50)); // back-off between bounded retries, not a wait for time
    }
  }
  return {
    name,
    url: databaseUrlFor(infra.adminDatabaseUrl, name),
    drop: () =>
      withPgClient(infra.adminDatabaseUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** An empty database (no migrations), for tests of the migrations themselves. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const infra = readInfrastructure();
  const name = `pandora_test_${infra.runId}_${randomBytes(4).toString('hex')}`;
  await withPgClient(infra.adminDatabaseUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: databaseUrlFor(infra.adminDatabaseUrl, name),
    drop: () =>
      withPgClient(infra.adminDatabaseUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/**
 * Runs one statement with ordinary triggers off (`SET LOCAL session_replication_role = replica`, in
 * its own transaction): the test-only way to write rows the database would otherwise date itself —
 * back-dated or already expired audit rows (docs/audit-trail.md#immutable). It needs a superuser,
 * which the tests connect as; the apps' DML-only role cannot set it.
 */
export async function seedWithoutTriggers<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  return withPgClient(url, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL session_replication_role = replica');
      const result = await client.query<T>(text, values);
      await client.query('COMMIT');
      return result.rows;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}
