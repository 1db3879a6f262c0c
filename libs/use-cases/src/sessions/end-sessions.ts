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
  await repositories.outbox.append(
    domainEvent(deps, ctx, spec.actor, {
      type: 'session.revoked',
      userId: spec.userId,
      at: now,
      payload: { session_ids: revoked, reason: spec.reason },
    }),
  );
  return revoked;
}
