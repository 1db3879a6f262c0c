import {
  checkDatabase,
  createRepositories,
  Database as SqlDatabase,
  PgUnitOfWork,
  type CheckStatus,
  type DatabaseOptions,
} from '@pandora/data-access';
import type { Repositories, UnitOfWork } from '@pandora/domain';

export type { DatabaseOptions };

/** The PostgreSQL side of the ports, and what a process needs to watch and close it. */
export interface Database {
  uow: UnitOfWork;
  /** Repositories outside any transaction, for reads. */
  repositories: Repositories;
  /** For /ready: 'down' when PostgreSQL does not answer within `timeoutMs`. */
  check(timeoutMs: number): Promise<CheckStatus>;
  close(): Promise<void>;
}

/** The one place a process opens its database: every composition root and test support comes through here. */
export function openDatabase(options: DatabaseOptions): Database {
  const db = new SqlDatabase(options);
  return {
    uow: new PgUnitOfWork(db),
    repositories: createRepositories(db),
    check: (timeoutMs) => checkDatabase(db, timeoutMs),
    close: () => db.close(),
  };
}
