import { MFA_METHODS, type Actor, type MfaMethod, type Repositories, type RequestContext, type Role, type User } from '@pandora/domain';
import { auditEntry } from '../records';
import type { Ports } from '../ports';

/** The answer of the password step of an MFA login: no session yet, a challenge to complete. */
export interface MfaChallengeIssued {
  mfaRequired: true;
  /** Opaque and single use; only its SHA-256 is stored. */
  mfaToken: string;
  expiresInSeconds: number;
  methods: readonly MfaMethod[];
}

export function isMfaChallenge(result: object): result is MfaChallengeIssued {
  return 'mfaRequired' in result && result.mfaRequired === true;
}

/** Issues the challenge inside the caller's transaction (the password was right). */
export async function issueMfaChallenge(
  deps: Pick<Ports, 'oneTimeSecrets' | 'ids' | 'mfa' | 'auditRetentionDays'>,
  repositories: Repositories,
  user: User,
  requiredRole: Role | null,
  ctx: RequestContext,
  now: Date,
): Promise<MfaChallengeIssued> {
  const { challengeTtlMs } = deps.mfa;
  const { token, hash } = deps.oneTimeSecrets.challengeToken();
  const id = deps.ids.newId();
  // Housekeeping on the way: the user's expired, used and exhausted challenges are of no use.
  await repositories.mfaChallenges.deleteSpent(user.id, now);
  await repositories.mfaChallenges.create({
    id,
    userId: user.id,
    tokenHash: hash,
    requiredRole,
    createdAt: now,
    expiresAt: new Date(now.getTime() + challengeTtlMs),
  });
  const actor: Actor = { type: user.role === 'admin' ? 'admin' : 'user', id: user.id, identifier: user.email };
  await repositories.audit.append(
    auditEntry(deps, ctx, {
      event: 'mfaChallengeIssued',
      userId: user.id,
      actor,
      at: now,
      resourceType: 'mfa_challenge',
      resourceId: id,
      metadata: { required_role: requiredRole },
    }),
  );
  return { mfaRequired: true, mfaToken: token, expiresInSeconds: Math.floor(challengeTtlMs / 1000), methods: MFA_METHODS };
}
