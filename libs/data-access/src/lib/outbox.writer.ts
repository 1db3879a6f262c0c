import type { DomainEvent, OutboxWriter } from '@pandora/domain';
import type { Prisma } from '@prisma/client';
import type { Db } from './prisma-client';

/** Appends events to `outbox_events` inside the caller's transaction; event-relay publishes them. */
export class PrismaOutboxWriter implements OutboxWriter {
  constructor(private readonly db: Db) {}

  async append(event: DomainEvent): Promise<void> {
    await this.db.outboxEvent.create({
      data: {
        id: event.id,
        eventType: event.type,
        aggregateId: event.userId,
        payload: event.payload as Prisma.InputJsonValue,
        metadata: event.metadata as Prisma.InputJsonValue,
        occurredAt: event.occurredAt,
      },
    });
  }
}
