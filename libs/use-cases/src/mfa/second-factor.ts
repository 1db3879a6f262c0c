import { AppError } from '@pandora/errors';
import { parseSecondFactorCode, type MfaMethod, type Repositories, type RequestContext, type User } from '@pandora/domain';
import type { Ports } from '../ports';

export type SecondFactorPorts = Pick<Ports, 'totp' | 'secretBox' | 'clock' | 'metrics' | 'securityLog'>;

export type SecondFactorCheck = { ok: true; method: MfaMethod } | { ok: false; reason: 'missing' | 'invalid_code' | 'replayed' };

/**
 * Checks a second-factor code (TOTP ±1 step, or a recovery code) for a user whose TOTP is enabled,
 * with the repositories of the transaction whose change the code authorises. Never throws for a
 * wrong code: the MFA login must commit its failure count, so it needs the verdict as a value.
 *  - TOTP: the matched time step must be later than the last step accepted for the user, and is
 *    recorded with one compare-and-set (UserMfaRepository.advanceStep): a code is never accepted
 *    twice, not even by two replicas at the same moment. A secret sealed under an older key of
 *    MFA_ENCRYPTION_KEYS is re-sealed under the current one now that it is open.
 *  - Recovery code: consumed by one conditional UPDATE (single use under concurrency).
 * Both writes belong to the caller's transaction: if the change the code authorises rolls back,
 * the code is not used up.
 */
export async function checkSecondFactor(
  deps: SecondFactorPorts,
  repositories: Repositories,
  userId: string,
  code: string | undefined,
): Promise<SecondFactorCheck> {
  const verdict = await verdictOf(deps, repositories, userId, code);
  deps.metrics.mfaVerification(verdict.ok ? (verdict.method === 'totp' ? 'success' : 'recovery_code') : verdict.reason);
  return verdict;
}

async function verdictOf(
  deps: SecondFactorPorts,
  repositories: Repositories,
  userId: string,
  code: string | undefined,
): Promise<SecondFactorCheck> {
  if (code === undefined) return { ok: false, reason: 'missing' };
  const parsed = parseSecondFactorCode(code);
  if (parsed.method === 'malformed') return { ok: false, reason: 'invalid_code' };
  const now = deps.clock.now();

  if (parsed.method === 'recovery_code') {
    const hashes = deps.secretBox.digestCandidates(parsed.code, userId).map((digest) => digest.hash);
    return (await repositories.recoveryCodes.consume(userId, hashes, now))
      ? { ok: true, method: 'recovery_code' }
      : { ok: false, reason: 'invalid_code' };
  }

  const mfa = await repositories.mfa.find(userId);
  if (!mfa?.secret) return { ok: false, reason: 'invalid_code' };
  const secret = deps.secretBox.open(mfa.secret, userId);
  const match = deps.totp.verify(secret, parsed.code);
  if (!match) return { ok: false, reason: 'invalid_code' };
  if (!(await repositories.mfa.advanceStep(userId, match.step))) return { ok: false, reason: 'replayed' };
  if (!deps.secretBox.isCurrent(mfa.secret)) await repositories.mfa.resealSecret(userId, deps.secretBox.seal(secret, userId), now);
  return { ok: true, method: 'totp' };
}

/**
 * The part of the second-factor step that needs no transaction: an account with TOTP on that sent
 * no code is refused before its password is judged, so a right and a wrong password get the same
 * answer. `requireSecondFactor` still checks the code itself, under the lock.
 */
export function assertSecondFactorCodeGiven(deps: Pick<Ports, 'metrics'>, user: Pick<User, 'mfaEnabled'>, code: string | undefined): void {
  if (!user.mfaEnabled || code !== undefined) return;
  deps.metrics.mfaVerification('missing');
  throw new AppError('MFA_REQUIRED');
}

/**
 * THE second-factor step of sensitive changes (password change here; password reset and email
 * change call it too). For a user with TOTP enabled the change needs `code`:
 *   missing → 401 MFA_REQUIRED, wrong/used/replayed → 401 INVALID_MFA_CODE;
 * for a user without MFA it returns `null` and ignores the code. Contract (ARCHITECTURE.md,
 * "The second-factor step"):
 *  - call it inside the transaction of the change, with that transaction's repositories, after the
 *    other checks of the request and before the change is written;
 *  - read `user` in that transaction (or lock it), so that MFA switched on or off concurrently is seen;
 *  - run the whole request inside `withAccountAttempt` and tell the attempt when this returned a
 *    method (`attempt.secondFactorProved()`), so wrong codes count toward the account lock and a
 *    right password alone never resets the count.
 */
export async function requireSecondFactor(
  deps: SecondFactorPorts,
  repositories: Repositories,
  user: Pick<User, 'id' | 'mfaEnabled'>,
  code: string | undefined,
  ctx: RequestContext,
): Promise<MfaMethod | null> {
  if (!user.mfaEnabled) return null;
  const check = await checkSecondFactor(deps, repositories, user.id, code);
  if (check.ok) return check.method;
  if (check.reason === 'missing') throw new AppError('MFA_REQUIRED');
  deps.securityLog.record('mfa_code_rejected', {
    user_id: user.id,
    reason: check.reason,
    request_id: ctx.requestId,
    ip_address: ctx.ipAddress,
  });
  throw new AppError('INVALID_MFA_CODE');
}
