import type { DomainEvent, OutboxWriter } from '@pandora/domain';
import { jsonParameter } from './audit-log.writer';
import type { Db } from './prisma-client';

/** Hand-written SQL for the reason given in audit-log.writer.ts (every write path appends events). */
const INSERT_OUTBOX_ROW = `INSERT INTO outbox_events (id, event_type, aggregate_id, payload, metadata, occurred_at)
  VALUES ($1::uuid, $2, $3::uuid, $4::jsonb, $5::jsonb, $6)`;

/** Appends events to `outbox_events` inside the caller's transaction; event-relay publishes them. */
export class PrismaOutboxWriter implements OutboxWriter {
  constructor(private readonly db: Db) {}

  async append(event: DomainEvent): Promise<void> {
    await this.db.$executeRawUnsafe(
      INSERT_OUTBOX_ROW,
      event.id,
      event.type,
      event.userId,
      jsonParameter(event.payload),
      jsonParameter(event.metadata),
      event.occurredAt,
    );
  }
}
