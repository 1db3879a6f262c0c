import { AppError } from '@pandora/errors';
import type { KycStatus } from './kyc-status';

/**
 * Who may move KYC status where (docs/accounts.md#kyc-status). One table, used by the self-service route, the admin
 * API and gRPC alike:
 *  - a user may only (re)submit a rejected application;
 *  - compliance (admin) decides pending applications, revokes verifications and may reopen;
 *  - internal services (gRPC) decide and revoke, but do not reopen on a user's behalf.
 */
export type KycChangeActor = 'user' | 'admin' | 'service';

const ALLOWED: Record<KycChangeActor, ReadonlyArray<readonly [KycStatus, KycStatus]>> = {
  user: [['rejected', 'pending']],
  admin: [
    ['pending', 'verified'],
    ['pending', 'rejected'],
    ['verified', 'rejected'],
    ['rejected', 'pending'],
  ],
  service: [
    ['pending', 'verified'],
    ['pending', 'rejected'],
    ['verified', 'rejected'],
  ],
};

export type KycTransitionOutcome = 'unchanged' | 'allowed' | 'forbidden';

export function kycTransitionOutcome(actor: KycChangeActor, from: KycStatus, to: KycStatus): KycTransitionOutcome {
  if (from === to) return 'unchanged';
  return ALLOWED[actor].some(([allowedFrom, allowedTo]) => allowedFrom === from && allowedTo === to) ? 'allowed' : 'forbidden';
}

/** True when the status changes, false for a same-status no-op; throws for a forbidden move. */
export function assertKycTransition(actor: KycChangeActor, from: KycStatus, to: KycStatus): boolean {
  const outcome = kycTransitionOutcome(actor, from, to);
  if (outcome === 'forbidden') {
    const hint = actor === 'user' ? ' Users may only resubmit a rejected application (rejected → pending).' : '';
    throw new AppError('INVALID_KYC_TRANSITION', `KYC status cannot change from ${from} to ${to}.${hint}`);
  }
  return outcome === 'allowed';
}
