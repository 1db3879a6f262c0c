import { AUDIT_EVENTS, type AuditEntry, type AuditEventKey, type AuditSeverity, type AuditStatus } from '@pandora/domain';
import { createDomainEvent, type DomainEvent } from '@pandora/domain';
import type { EventPayload, EventType } from '@pandora/domain';
import type { Actor } from '@pandora/domain';
import type { RequestContext } from '@pandora/domain';
import type { RecordPorts } from './ports';

const DAY_MS = 86_400_000;

export interface AuditSpec {
  event: AuditEventKey;
  userId: string | null;
  actor: Actor;
  at: Date;
  severity?: AuditSeverity;
  status?: AuditStatus;
  failureReason?: string;
  resourceType?: string;
  resourceId?: string;
  sessionId?: string | null;
  metadata?: Record<string, unknown>;
  previousState?: Record<string, unknown>;
  newState?: Record<string, unknown>;
  isSensitive?: boolean;
}

/** An audit row for `spec`, with the request's context and the configured retention. */
export function auditEntry(deps: RecordPorts, ctx: RequestContext, spec: AuditSpec): AuditEntry {
  const definition = AUDIT_EVENTS[spec.event];
  return {
    id: deps.ids.newId(),
    eventType: definition.eventType,
    eventCategory: definition.category,
    severity: spec.severity ?? 'info',
    userId: spec.userId,
    actorType: spec.actor.type,
    actorIdentifier: spec.actor.identifier,
    action: definition.action,
    resourceType: spec.resourceType ?? (spec.userId ? 'user' : null),
    resourceId: spec.resourceId ?? spec.userId,
    ipAddress: ctx.ipAddress,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    sessionId: spec.sessionId ?? null,
    metadata: spec.metadata ?? null,
    previousState: spec.previousState ?? null,
    newState: spec.newState ?? null,
    status: spec.status ?? 'success',
    failureReason: spec.failureReason ?? null,
    retentionUntil: new Date(spec.at.getTime() + deps.auditRetentionDays * DAY_MS),
    isSensitive: spec.isSensitive ?? false,
    createdAt: spec.at,
  };
}

/** A domain event about `userId`, carrying the request's context and the actor as metadata. */
export function domainEvent<T extends EventType>(
  deps: Pick<RecordPorts, 'ids'>,
  ctx: RequestContext,
  actor: Actor,
  input: { type: T; userId: string | null; at: Date; payload: EventPayload<T> },
): DomainEvent<T> {
  const metadata: Record<string, string> = {};
  if (ctx.requestId) metadata.request_id = ctx.requestId;
  if (ctx.ipAddress) metadata.ip_address = ctx.ipAddress;
  if (ctx.userAgent) metadata.user_agent = ctx.userAgent;
  if (ctx.traceparent) metadata.traceparent = ctx.traceparent;
  if (actor.id) metadata.actor_id = actor.id;
  metadata.actor_type = actor.type;
  return createDomainEvent({
    id: deps.ids.newId(),
    type: input.type,
    userId: input.userId,
    occurredAt: input.at,
    payload: input.payload,
    metadata,
  });
}

export function iso(date: Date): string {
  return date.toISOString();
}
