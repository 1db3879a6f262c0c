import type { AuditEventKey } from '@pandora/domain';
import type { Actor } from '@pandora/domain';
import type { SessionRevocationReason } from '@pandora/domain';
import type { Repositories } from '@pandora/domain';
import { auditEntry, domainEvent } from '../records';
import type { RequestContext } from '@pandora/domain';
import type { RecordPorts } from '../ports';

export interface EndSessionsSpec {
  userId: string;
  /** Specific sessions, or every active session of the user. */
  sessionIds: string[] | 'all';
  reason: SessionRevocationReason;
  audit: AuditEventKey;
  actor: Actor;
  actorSessionId: string | null;
}

/**
 * Revokes sessions inside the caller's transaction and records it: one audit row, and one
 * `session.revoked` event when anything was actually revoked (revoking twice is a quiet no-op).
 */
export async function endSessions(
  deps: RecordPorts,
  repositories: Repositories,
  ctx: RequestContext,
  spec: EndSessionsSpec,
  now: Date,
): Promise<string[]> {
  const revoked =
    spec.sessionIds === 'all'
      ? await repositories.sessions.revokeAllForUser(spec.userId, spec.reason, now)
      : await repositories.sessions.revoke(spec.sessionIds, spec.reason, now);
  if (revoked.length === 0) return revoked;
  await repositories.audit.append(
    auditEntry(deps, ctx, {
      event: spec.audit,
      userId: spec.userId,
      actor: spec.actor,
      at: now,
      sessionId: spec.actorSessionId,
      metadata: { session_ids: revoked, reason: spec.reason },
    }),
  );
  await announceRevokedSessions(deps, repositories, ctx, spec.actor, {
    userId: spec.userId,
    sessionIds: revoked,
    reason: spec.reason,
    at: now,
  });
  return revoked;
}

/**
 * The one place a `session.revoked` event is made, inside the caller's transaction. Use cases that
 * revoke as a consequence of another change (role, password, deletion, reuse detection) call it
 * after their own event, so consumers see the cause first. Nothing revoked: no event.
 */
export async function announceRevokedSessions(
  deps: Pick<RecordPorts, 'ids'>,
  repositories: Pick<Repositories, 'outbox'>,
  ctx: RequestContext,
  actor: Actor,
  revocation: { userId: string; sessionIds: string[]; reason: SessionRevocationReason; at: Date },
): Promise<void> {
  if (revocation.sessionIds.length === 0) return;
  await repositories.outbox.append(
    domainEvent(deps, ctx, actor, {
      type: 'session.revoked',
      userId: revocation.userId,
      at: revocation.at,
      payload: { session_ids: revocation.sessionIds, reason: revocation.reason },
    }),
  );
}
