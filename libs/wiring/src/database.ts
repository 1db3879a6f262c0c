import {
  checkDatabase,
  createRepositories,
  Database as SqlDatabase,
  openReadCaches,
  PgUnitOfWork,
  type CheckStatus,
  type DatabaseOptions,
  type ReadCachesOptions,
} from '@pandora/data-access';
import type { Repositories, SessionPrincipalStore, UnitOfWork, UserReads } from '@pandora/domain';

export type { DatabaseOptions };

/** The read caches' settings (READ_CACHE_TTL and DATABASE_DIRECT_URL), and who watches them. */
export type ReadCacheSettings = Omit<ReadCachesOptions, 'applicationName'>;

/** The PostgreSQL side of the ports, and what a process needs to watch and close it. */
export interface Database {
  uow: UnitOfWork;
  /** Repositories outside any transaction, for reads. */
  repositories: Repositories;
  /** The reads every authenticated request makes, from this process's caches (docs/caching.md). */
  reads: { users: UserReads; principals: SessionPrincipalStore; isCurrent(): boolean };
  /** For /ready: 'down' when PostgreSQL does not answer within `timeoutMs`. */
  check(timeoutMs: number): Promise<CheckStatus>;
  close(): Promise<void>;
}

/**
 * The one place a process opens its database: every composition root and test support comes through
 * here. Without `readCache` (or with a TTL of 0) the cached reads pass through to PostgreSQL.
 */
export function openDatabase(options: DatabaseOptions, readCache: ReadCacheSettings = { ttlMs: 0, directUrl: options.url }): Database {
  const db = new SqlDatabase(options);
  const repositories = createRepositories(db);
  const caches = openReadCaches(repositories, { ...readCache, applicationName: options.applicationName });
  return {
    uow: new PgUnitOfWork(db, caches.afterCommit),
    repositories,
    reads: { users: caches.users, principals: caches.principals, isCurrent: caches.isCurrent },
    check: (timeoutMs) => checkDatabase(db, timeoutMs),
    close: async () => {
      await caches.close();
      await db.close();
    },
  };
}
