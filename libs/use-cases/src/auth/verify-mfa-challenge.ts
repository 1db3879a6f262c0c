import { AppError } from '@pandora/errors';
import {
  isFrozen,
  MFA_CHALLENGE_MAX_FAILURES,
  secondFactorAuthentication,
  type Actor,
  type MfaMethod,
  type RequestContext,
  type Role,
  type User,
} from '@pandora/domain';
import { withAccountAttempt } from './account-attempt';
import { checkSecondFactor } from '../mfa/second-factor';
import { auditEntry, domainEvent } from '../records';
import type { Ports } from '../ports';
import { completeAuth, openSession, type AuthResult, type OpenedSession } from './auth-result';
import { noticeNewDevice } from '../notifications/login-devices';

export type VerifyMfaChallengePorts = Pick<
  Ports,
  | 'uow'
  | 'repositories'
  | 'loginThrottle'
  | 'totp'
  | 'secretBox'
  | 'oneTimeSecrets'
  | 'accessTokens'
  | 'refreshTokens'
  | 'clock'
  | 'ids'
  | 'metrics'
  | 'securityLog'
  | 'auth'
  | 'auditRetentionDays'
>;

type Outcome =
  | { kind: 'invalid_challenge' }
  | { kind: 'frozen' }
  | { kind: 'wrong_code'; failures: number; reason: string }
  | { kind: 'verified'; user: User; opened: OpenedSession; method: MfaMethod };

/**
 * POST /auth/mfa/verify (and the admin listener's, with `requiredRole: 'admin'`): the second step
 * of an MFA login. The challenge row is locked, so one challenge is verified at most once however
 * many requests race; the code's TOTP step is recorded with a compare-and-set in the same
 * transaction that opens the session (`amr: ["pwd","otp"]`, `aal: 2`). A wrong code is committed
 * as a failure of the challenge (dead after MFA_CHALLENGE_MAX_FAILURES) and counts on the login
 * throttle like a failed login — on the account and on this client IP's (IP, email) budget; only
 * the right code resets them (docs/mfa.md).
 */
export class VerifyMfaChallenge {
  constructor(
    private readonly deps: VerifyMfaChallengePorts,
    private readonly options: { requiredRole?: Role } = {},
  ) {}

  async execute(input: { mfaToken: string; code: string }, ctx: RequestContext): Promise<AuthResult> {
    const { deps } = this;
    const tokenHash = deps.oneTimeSecrets.challengeTokenHash(input.mfaToken);
    const known = tokenHash ? await deps.repositories.mfaChallenges.findByTokenHash(tokenHash) : null;
    const owner = known ? await deps.repositories.users.findById(known.userId) : null;
    if (!tokenHash || !owner) return this.invalidChallenge();

    return withAccountAttempt(
      deps,
      { email: owner.email, userId: owner.id, mfaEnabled: true },
      ctx,
      async (attempt) => {
        const now = deps.clock.now();
        const outcome = await deps.uow.run<Outcome>(async (repositories) => {
          const challenge = await repositories.mfaChallenges.lockByTokenHash(tokenHash);
          if (
            !challenge ||
            challenge.consumedAt !== null ||
            challenge.expiresAt <= now ||
            challenge.failedAttempts >= MFA_CHALLENGE_MAX_FAILURES ||
            challenge.requiredRole !== (this.options.requiredRole ?? null)
          ) {
            return { kind: 'invalid_challenge' };
          }
          // MFA reset by an administrator, role taken away, account deleted since the password step.
          const user = await repositories.users.findById(challenge.userId);
          if (!user || !user.mfaEnabled || (this.options.requiredRole && user.role !== this.options.requiredRole)) {
            return { kind: 'invalid_challenge' };
          }
          // Frozen between the password step and this one: the challenge stays unused and opens nothing.
          if (isFrozen(user)) return { kind: 'frozen' };
          const actor: Actor = { type: user.role === 'admin' ? 'admin' : 'user', id: user.id, identifier: user.email };

          const check = await checkSecondFactor(deps, repositories, user.id, input.code);
          if (!check.ok) {
            const failures = await repositories.mfaChallenges.recordFailure(challenge.id);
            await repositories.audit.append(
              auditEntry(deps, ctx, {
                event: 'mfaVerificationFailed',
                userId: user.id,
                actor,
                at: now,
                severity: 'warning',
                status: 'failure',
                failureReason: check.reason,
                resourceType: 'mfa_challenge',
                resourceId: challenge.id,
                metadata: { failed_attempts: failures, challenge_exhausted: failures >= MFA_CHALLENGE_MAX_FAILURES },
              }),
            );
            return { kind: 'wrong_code', failures, reason: check.reason };
          }

          await repositories.mfaChallenges.consume(challenge.id, now);
          const opened = await openSession(deps, repositories, user.id, ctx, now, secondFactorAuthentication(now));
          await noticeNewDevice(deps, repositories, user, ctx, now);
          await repositories.audit.append(
            auditEntry(deps, ctx, {
              event: 'loginSucceeded',
              userId: user.id,
              actor,
              at: now,
              sessionId: opened.session.id,
              metadata: { required_role: this.options.requiredRole ?? null, second_factor: check.method, mfa_challenge_id: challenge.id },
            }),
          );
          await repositories.outbox.append(
            domainEvent(deps, ctx, actor, { type: 'user.logged_in', userId: user.id, at: now, payload: { email: user.email } }),
          );
          return { kind: 'verified', user, opened, method: check.method };
        });

        if (outcome.kind === 'invalid_challenge') return this.invalidChallenge();
        if (outcome.kind === 'frozen') {
          deps.metrics.login('frozen');
          throw new AppError('ACCOUNT_FROZEN');
        }
        if (outcome.kind === 'wrong_code') {
          deps.securityLog.record('mfa_code_rejected', {
            user_id: owner.id,
            reason: outcome.reason,
            failed_attempts: outcome.failures,
            request_id: ctx.requestId,
            ip_address: ctx.ipAddress,
          });
          throw new AppError('INVALID_MFA_CODE');
        }
        attempt.secondFactorProved();
        deps.metrics.login('success');
        if (outcome.method === 'recovery_code') {
          deps.securityLog.record('mfa_recovery_code_used', { user_id: owner.id, request_id: ctx.requestId, ip_address: ctx.ipAddress });
        }
        return completeAuth(deps, outcome.user, outcome.opened);
      },
      // The second step is part of a login: refused, it counts like a refused login (user_logins_total).
      { onRefused: (limit) => deps.metrics.login(limit === 'account' ? 'locked' : 'rate_limited') },
    );
  }

  private invalidChallenge(): never {
    this.deps.metrics.mfaVerification('invalid_challenge');
    throw new AppError('INVALID_MFA_TOKEN');
  }
}
