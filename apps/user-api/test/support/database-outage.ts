import { readInfrastructure, withPgClient, type TestDatabase } from '@pandora/testing';

/**
 * Takes the suite's database away from the app for `work`, on the shared server and without
 * touching anyone else's database: connections are refused and cut, then the database is renamed,
 * so every new connection fails with 3D000 ("database does not exist") — the way a lost database
 * looks to the app, which answers 503. Renamed back afterwards, with the same data.
 */
export async function whileDatabaseIsAway<T>(db: TestDatabase, work: () => Promise<T>): Promise<T> {
  const admin = readInfrastructure().adminDatabaseUrl;
  const away = `${db.name}_away`;
  await withPgClient(admin, async (client) => {
    await client.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
    // pg_terminate_backend only signals: the backends may still be leaving when RENAME runs.
    for (let attempt = 0; ; attempt++) {
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [db.name]);
      try {
        await client.query(`ALTER DATABASE "${db.name}" RENAME TO "${away}"`);
        break;
      } catch (error) {
        if (attempt >= 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50)); // back-off between bounded retries, not a wait for time
      }
    }
  });
  try {
    return await work();
  } finally {
    await withPgClient(admin, async (client) => {
      await client.query(`ALTER DATABASE "${away}" RENAME TO "${db.name}"`);
      await client.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
    });
  }
}
