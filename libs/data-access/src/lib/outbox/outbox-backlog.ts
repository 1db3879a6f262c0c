import type { Queryable } from '../sql/database';

/** Outbox rows not yet published: the relay's backlog gauge (any connection; a pooled one is fine). */
export async function countUnpublishedOutboxEvents(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ pending: number }>('SELECT count(*)::int AS pending FROM outbox_events WHERE published_at IS NULL');
  return rows[0]?.pending ?? 0;
}

/** Throws unless the outbox table can be read: a reachable but unmigrated database is not ready either. */
export async function checkOutboxReadable(db: Queryable): Promise<void> {
  await db.query('SELECT 1 FROM outbox_events LIMIT 0');
}
