/**
 * Every PostgreSQL advisory lock the apps take, in one place so that no two can collide (advisory
 * locks are per database; Prisma's migration lock, key 72707369, is the only other one taken in
 * it). PostgreSQL has two key spaces, told apart in pg_locks by `objsubid`: one bigint (objsubid 1,
 * classid/objid = its high/low 32 bits) or two ints (objsubid 2).
 *
 * A key is part of the protocol between running versions: changing one lets an old and a new
 * replica hold "the" lock at the same time during a rollout. Add keys; never change one.
 */
export type AdvisoryLockKey = { readonly bigint: string } | { readonly pair: readonly [number, number] };

/**
 * event-relay's leader lease: the one replica holding it publishes the outbox
 * (= `hashtextextended('pandora:event-relay:leader', 0)`, which earlier versions computed in SQL;
 * libs/data-access/test/advisory-lock.test.ts checks they agree).
 */
export const RELAY_LEADER_LOCK_KEY: AdvisoryLockKey = { bigint: '-3014255746662282756' };

/** audit-cleanup-worker: one run at a time deletes (pg_locks: classid 1346457156 = 'PAND', objid 1). */
export const AUDIT_CLEANUP_LOCK_KEY: AdvisoryLockKey = { pair: [1_346_457_156, 1] };

/** event-relay's mail courier: the one replica holding it delivers queued mail (pg_locks: classid 'PAND', objid 2). */
export const MAIL_COURIER_LEADER_LOCK_KEY: AdvisoryLockKey = { pair: [1_346_457_156, 2] };

/** The key as SQL arguments of pg_*advisory_lock functions, numbering parameters from `first`. */
export function lockArguments(key: AdvisoryLockKey, first = 1): { sql: string; values: unknown[] } {
  return 'bigint' in key
    ? { sql: `$${first}::bigint`, values: [key.bigint] }
    : { sql: `$${first}::int, $${first + 1}::int`, values: [key.pair[0], key.pair[1]] };
}

/** A condition on `pg_locks` (aliased `alias`) that matches the key, numbering parameters from `first`. */
export function lockRowCondition(key: AdvisoryLockKey, alias: string, first = 1): { sql: string; values: unknown[] } {
  return 'bigint' in key
    ? {
        sql: `${alias}.locktype = 'advisory' AND ${alias}.objsubid = 1
          AND ${alias}.classid = ((($${first}::bigint >> 32) & 4294967295))::oid
          AND ${alias}.objid = (($${first}::bigint & 4294967295))::oid`,
        values: [key.bigint],
      }
    : {
        sql: `${alias}.locktype = 'advisory' AND ${alias}.objsubid = 2
          AND ${alias}.classid = $${first}::int::oid AND ${alias}.objid = $${first + 1}::int::oid`,
        values: [key.pair[0], key.pair[1]],
      };
}
