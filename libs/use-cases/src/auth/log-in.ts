import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import { isFrozen, normalizeEmail, recordableIdentifier } from '@pandora/domain';
import type { Role } from '@pandora/domain';
import type { UserCredentials } from '@pandora/domain';
import { loginSourceOf } from './account-attempt';
import { auditEntry, domainEvent } from '../records';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { completeAuth, openSession, type AuthResult } from './auth-result';
import { issueMfaChallenge, type MfaChallengeIssued } from './mfa-challenge';
import { noticeNewDevice } from '../notifications/login-devices';

export interface LogInInput {
  email: string;
  password: string;
}

export type LogInPorts = Pick<
  Ports,
  | 'uow'
  | 'repositories'
  | 'hasher'
  | 'accessTokens'
  | 'refreshTokens'
  | 'loginThrottle'
  | 'clock'
  | 'ids'
  | 'metrics'
  | 'securityLog'
  | 'oneTimeSecrets'
  | 'auth'
  | 'mfa'
  | 'auditRetentionDays'
>;

type FailureReason = 'unknown_email' | 'invalid_password' | 'insufficient_role' | 'account_frozen';

/**
 * Password login (POST /auth/login, and the admin login with `requiredRole: 'admin'`: docs/api.md).
 *  - Every failure, whatever its reason, is the same 401 INVALID_CREDENTIALS after the same Argon2
 *    work: a caller cannot tell an unknown email from a wrong password or a non-admin account.
 *  - The attempt is reserved with the login throttle BEFORE anything is verified, for existing and
 *    unknown emails alike: parallel guesses cannot exceed the threshold, and a locked email answers
 *    429 whether or not it belongs to an account. Only failures use up the account's and the
 *    (client IP, email) budgets; a success resets both (people logging in often are never limited).
 *  - For an account with TOTP on, the right password opens no session: it answers an MFA challenge
 *    (VerifyMfaChallenge completes the login). The attempt is then given back without a verdict: only
 *    a proved second factor resets the failure counts, so wrong codes across several challenges add
 *    up to a lock (docs/mfa.md).
 *  - An account its owner froze answers 403 ACCOUNT_FROZEN, but only to the right password (and
 *    role): a wrong one is the same 401 as for any account, so the freeze is no password oracle, and
 *    the owner who tries learns why they cannot get in. That answer is neither a failure nor a
 *    success for the throttle (the attempt is given back), and opens no MFA challenge.
 */
export class LogIn {
  constructor(
    private readonly deps: LogInPorts,
    private readonly options: { requiredRole?: Role } = {},
  ) {}

  async execute(input: LogInInput, ctx: RequestContext): Promise<AuthResult | MfaChallengeIssued> {
    const { deps } = this;
    const email = normalizeEmail(input.email);
    const attempt = await deps.loginThrottle.reserve(email, loginSourceOf(ctx));
    if (!attempt.allowed) {
      const byAccount = attempt.refusedBy === 'account';
      deps.metrics.login(byAccount ? 'locked' : 'rate_limited');
      throw new AppError(
        'RATE_LIMITED',
        byAccount
          ? 'Too many failed logins for this account; try again later.'
          : 'Too many failed logins for this account from this address (login limit); try again later.',
        { retryAfterSeconds: attempt.retryAfterSeconds },
      );
    }

    let verdictRecorded = false;
    try {
      const credentials = await deps.repositories.users.findCredentialsByEmail(email);
      const failure = await this.check(credentials, input.password);
      if (failure === 'account_frozen' && credentials) return await this.refuseFrozen(credentials.user.id, email, ctx);
      if (failure || !credentials) {
        verdictRecorded = true;
        const lock = await deps.loginThrottle.recordFailure(email, attempt.reservation);
        return await this.fail(credentials?.user.id ?? null, email, failure ?? 'unknown_email', lock, ctx);
      }
      if (credentials.user.mfaEnabled) return await this.challenge(credentials, input.password, ctx);
      const result = await this.succeed(credentials, input.password, ctx);
      verdictRecorded = true;
      await deps.loginThrottle.recordSuccess(email, attempt.reservation);
      return result;
    } finally {
      if (!verdictRecorded) await deps.loginThrottle.release(email, attempt.reservation).catch(() => undefined);
    }
  }

  /** Null when the credentials are good for this login; otherwise why not (after equal work). */
  private async check(credentials: UserCredentials | null, password: string): Promise<FailureReason | null> {
    if (!credentials) {
      await this.deps.hasher.verifyDummy(password);
      return 'unknown_email';
    }
    if (!(await this.deps.hasher.verify(credentials.passwordHash, password))) return 'invalid_password';
    if (this.options.requiredRole && credentials.user.role !== this.options.requiredRole) return 'insufficient_role';
    if (isFrozen(credentials.user)) return 'account_frozen';
    return null;
  }

  private async succeed({ user, passwordHash }: UserCredentials, password: string, ctx: RequestContext): Promise<AuthResult> {
    const { deps } = this;
    // Parameters changed since this hash was made: upgrade it now that we know the password.
    const upgradedHash = deps.hasher.needsRehash(passwordHash) ? await deps.hasher.hash(password) : null;
    const now = deps.clock.now();
    const opened = await deps.uow.run(async (repositories) => {
      // A rehash is not a change the user made: updated_at keeps its value.
      if (upgradedHash) await repositories.users.update(user.id, { passwordHash: upgradedHash }, user.updatedAt);
      const opened = await openSession(deps, repositories, user.id, ctx, now);
      await noticeNewDevice(deps, repositories, user, ctx, now);
      const actor: Actor = { type: user.role === 'admin' ? 'admin' : 'user', id: user.id, identifier: user.email };
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'loginSucceeded',
          userId: user.id,
          actor,
          at: now,
          sessionId: opened.session.id,
          metadata: { required_role: this.options.requiredRole ?? null, password_rehashed: upgradedHash !== null },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, { type: 'user.logged_in', userId: user.id, at: now, payload: { email: user.email } }),
      );
      return opened;
    });
    deps.metrics.login('success');
    return completeAuth(deps, user, opened);
  }

  private async challenge({ user, passwordHash }: UserCredentials, password: string, ctx: RequestContext): Promise<MfaChallengeIssued> {
    const { deps } = this;
    const upgradedHash = deps.hasher.needsRehash(passwordHash) ? await deps.hasher.hash(password) : null;
    const now = deps.clock.now();
    return deps.uow.run(async (repositories) => {
      if (upgradedHash) await repositories.users.update(user.id, { passwordHash: upgradedHash }, user.updatedAt);
      return issueMfaChallenge(deps, repositories, user, this.options.requiredRole ?? null, ctx, now);
    });
  }

  private async refuseFrozen(userId: string, email: string, ctx: RequestContext): Promise<never> {
    const { deps } = this;
    const now = deps.clock.now();
    await deps.uow.run((repositories) =>
      repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'loginFailed',
          userId,
          actor: { type: 'user', id: userId, identifier: email },
          at: now,
          severity: 'warning',
          status: 'failure',
          failureReason: 'account_frozen',
          metadata: { required_role: this.options.requiredRole ?? null },
        }),
      ),
    );
    deps.metrics.login('frozen');
    deps.securityLog.record('login_refused_frozen', { user_id: userId, request_id: ctx.requestId, ip_address: ctx.ipAddress });
    throw new AppError('ACCOUNT_FROZEN');
  }

  private async fail(
    userId: string | null,
    email: string,
    reason: FailureReason,
    lock: { lockedUntil: Date | null; lockLevel: number },
    ctx: RequestContext,
  ): Promise<never> {
    const { deps } = this;
    const now = deps.clock.now();
    // An account's email is valid by construction; an unknown one may be a password typed in the wrong field.
    const identifier = recordableIdentifier(email);
    const actor: Actor = { type: userId ? 'user' : 'anonymous', id: userId, identifier };
    await deps.uow.run(async (repositories) => {
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'loginFailed',
          userId,
          actor,
          at: now,
          severity: 'warning',
          status: 'failure',
          failureReason: reason,
          metadata: { required_role: this.options.requiredRole ?? null },
        }),
      );
      if (lock.lockedUntil) {
        await repositories.audit.append(
          auditEntry(deps, ctx, {
            event: 'loginLocked',
            userId,
            actor,
            at: now,
            severity: 'critical',
            status: 'failure',
            failureReason: 'too_many_failed_logins',
            metadata: { locked_until: lock.lockedUntil.toISOString(), lock_level: lock.lockLevel },
          }),
        );
      }
    });
    deps.metrics.login(reason === 'insufficient_role' ? 'forbidden' : 'invalid_credentials');
    // The email lets operators follow a guessing campaign; the logger masks it (a***@example.com).
    deps.securityLog.record('login_failed', {
      reason,
      user_id: userId,
      email: identifier,
      required_role: this.options.requiredRole ?? null,
      request_id: ctx.requestId,
      ip_address: ctx.ipAddress,
    });
    if (lock.lockedUntil) {
      deps.metrics.loginLocked();
      deps.securityLog.record('login_locked', {
        user_id: userId,
        locked_until: lock.lockedUntil.toISOString(),
        lock_level: lock.lockLevel,
        request_id: ctx.requestId,
        ip_address: ctx.ipAddress,
      });
    }
    throw new AppError('INVALID_CREDENTIALS');
  }
}
