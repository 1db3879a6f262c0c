import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import type { KycStatus } from '@pandora/domain';
import { assertKycTransition, type KycChangeActor } from '@pandora/domain';
import type { User } from '@pandora/domain';
import { auditEntry, domainEvent } from '../records';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';

export interface ChangeKycStatusInput {
  userId: string;
  status: KycStatus;
  /** Whose rules apply (docs/accounts.md#kyc-status): the user themself, compliance staff, or an internal service. */
  as: KycChangeActor;
  /** Who is recorded in the audit row and event metadata. */
  actor: Actor;
  actorSessionId?: string | null;
  /** Extra facts for the audit row's metadata, e.g. which authenticated service made the call. */
  auditMetadata?: Record<string, unknown>;
  /** Why compliance decided so (admin API): kept in the audit row's metadata and the event. */
  reason?: string;
}

export type ChangeKycStatusPorts = Pick<Ports, 'uow' | 'clock' | 'ids' | 'auditRetentionDays'>;

/**
 * The one KYC use case, shared by PATCH /users/me/kyc, the admin API and gRPC UpdateKYCStatus.
 * The user row is locked so that `old_status` is the status this change really replaced.
 * Setting the current status again changes nothing and records nothing.
 */
export class ChangeKycStatus {
  constructor(private readonly deps: ChangeKycStatusPorts) {}

  async execute(input: ChangeKycStatusInput, ctx: RequestContext): Promise<User> {
    const { deps } = this;
    const now = deps.clock.now();
    return deps.uow.run(async (repositories) => {
      const user = await repositories.users.lockById(input.userId);
      if (!user) throw new AppError('USER_NOT_FOUND');
      if (!assertKycTransition(input.as, user.kycStatus, input.status)) return user;

      const updated = await repositories.users.update(user.id, { kycStatus: input.status }, now);
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'kycUpdated',
          userId: user.id,
          actor: input.actor,
          at: now,
          sessionId: input.actorSessionId ?? null,
          previousState: { kyc_status: user.kycStatus },
          newState: { kyc_status: updated.kycStatus },
          metadata: { ...input.auditMetadata, rules: input.as, ...(input.reason ? { reason: input.reason } : {}) },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, input.actor, {
          type: 'user.kyc.updated',
          userId: user.id,
          at: now,
          payload: {
            email: updated.email,
            kyc_status: updated.kycStatus,
            old_status: user.kycStatus,
            ...(input.reason ? { reason: input.reason } : {}),
          },
        }),
      );
      return updated;
    });
  }
}
