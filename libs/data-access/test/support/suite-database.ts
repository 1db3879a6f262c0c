import { createTestDatabase, type TestDatabase } from '@pandora/testing';
import { Database, PgUnitOfWork } from '../../src';

export interface SuiteDatabase {
  readonly db: TestDatabase;
  readonly database: Database;
  readonly uow: PgUnitOfWork;
}

/**
 * A database of the suite's own (a copy of the migrated template) with a pool on it, made before
 * the suite's first test and dropped after its last: suites run in parallel and must not see each
 * other's rows. Call it at the top of the file; its fields exist only inside tests and hooks.
 */
export function useSuiteDatabase(options: { applicationName: string; poolMax: number }): SuiteDatabase {
  let opened: SuiteDatabase | undefined;
  beforeAll(async () => {
    const db = await createTestDatabase();
    const database = new Database({ url: db.url, poolMax: options.poolMax, applicationName: options.applicationName });
    opened = { db, database, uow: new PgUnitOfWork(database) };
  });
  afterAll(async () => {
    await opened?.database.close();
    await opened?.db.drop();
  });
  const current = (): SuiteDatabase => {
    if (!opened) throw new Error('the suite database is opened in beforeAll: read it inside a test or hook');
    return opened;
  };
  return {
    get db() {
      return current().db;
    },
    get database() {
      return current().database;
    },
    get uow() {
      return current().uow;
    },
  };
}
