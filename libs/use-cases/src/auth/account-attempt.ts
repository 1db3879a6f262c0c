import { AppError } from '@pandora/errors';
import type { Actor, LoginLimit, LoginSource, RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { auditEntry } from '../records';

/** The answers that mean "a guess at this account's secrets failed": they count toward a lock. */
const GUESS_FAILURES = new Set(['INVALID_CREDENTIALS', 'INVALID_MFA_CODE']);

/** `hasher` only for the requests that check a password (`attempt.requirePassword`). */
export type AccountAttemptPorts = Pick<
  Ports,
  'loginThrottle' | 'uow' | 'ids' | 'clock' | 'metrics' | 'securityLog' | 'auditRetentionDays'
> &
  Partial<Pick<Ports, 'hasher'>>;

export interface AccountOfAttempt {
  /** The normalised email: the login throttle's key, as for logins. */
  email: string;
  userId: string;
  /** For an MFA account only a proved second factor is a success (see below). */
  mfaEnabled: boolean;
  /** The stored hash `requirePassword` checks against (absent when the request checks no password). */
  passwordHash?: string;
}

export interface AccountAttemptOptions {
  /** The attempt was refused before the work ran (the MFA login step counts it as a refused login). */
  onRefused?: (limit: LoginLimit) => void;
}

export interface AccountAttempt {
  /**
   * The one password check of a signed-in request: INVALID_CREDENTIALS (a failure on this attempt)
   * unless `password` matches the account's hash; `onWrong` records the use case's own failure row first.
   * Call it only after every refusal that does not depend on the password (a weak new password,
   * a missing MFA code, MFA already on or off): an answer that differs with the password's
   * correctness would confirm a guess without costing a failure.
   */
  requirePassword(password: string, onWrong?: () => Promise<void>): Promise<void>;
  /** The work proved the account's second factor (requireSecondFactor / checkSecondFactor said yes). */
  secondFactorProved(): void;
}

/** The budget of failures an attempt from this request uses, beside the account's: its client IP's for the email. */
export function loginSourceOf(ctx: RequestContext): LoginSource {
  return { ipAddress: ctx.ipAddress };
}

/**
 * One attempt on the login throttle (docs/abuse-controls.md#login-throttling) around work that
 * checks a password and/or a second factor, so that no endpoint is a guessing oracle the limits do
 * not see:
 *  - the attempt is reserved first, on the account and on this client IP's (IP, email) budget, as a
 *    login is: a locked account or an exhausted (IP, email) budget answers 429 before anything is checked;
 *  - the work throwing INVALID_CREDENTIALS or INVALID_MFA_CODE records a failure on both (which may
 *    lock the account: audited, logged, counted like a login lock);
 *  - the work succeeding resets the counts — but for an MFA account only when it proved the second
 *    factor: a right password alone must never wipe out a run of wrong codes, or someone holding the
 *    password could alternate and guess codes forever;
 *  - anything else (a 409, a 422, an outage) gives the slot back without a verdict.
 * A password and a code checked in one request are one attempt: one reservation, one verdict.
 * Every password check of a signed-in caller goes through `attempt.requirePassword` (password
 * change, MFA setup and disable, email change), so there is one place that compares a password
 * outside the login itself (docs/security.md#password-guessing).
 */
export async function withAccountAttempt<T>(
  deps: AccountAttemptPorts,
  account: AccountOfAttempt,
  ctx: RequestContext,
  work: (attempt: AccountAttempt) => Promise<T>,
  options: AccountAttemptOptions = {},
): Promise<T> {
  const reserved = await deps.loginThrottle.reserve(account.email, loginSourceOf(ctx));
  if (!reserved.allowed) {
    options.onRefused?.(reserved.refusedBy);
    throw new AppError(
      'RATE_LIMITED',
      reserved.refusedBy === 'account'
        ? 'Too many failed attempts for this account; try again later.'
        : 'Too many failed attempts for this account from this address (login limit); try again later.',
      { retryAfterSeconds: reserved.retryAfterSeconds },
    );
  }
  let proved = false;
  let result: T;
  const attempt: AccountAttempt = {
    async requirePassword(password, onWrong) {
      if (account.passwordHash === undefined || !deps.hasher) throw new Error('requirePassword needs the password hash and the hasher');
      if (await deps.hasher.verify(account.passwordHash, password)) return;
      await onWrong?.();
      throw new AppError('INVALID_CREDENTIALS', 'The password is not correct.');
    },
    secondFactorProved: () => void (proved = true),
  };
  try {
    result = await work(attempt);
  } catch (error) {
    if (error instanceof AppError && GUESS_FAILURES.has(error.code)) {
      const lock = await deps.loginThrottle.recordFailure(account.email, reserved.reservation);
      if (lock.lockedUntil) await recordLock(deps, account, lock.lockedUntil, lock.lockLevel, ctx);
    } else {
      await deps.loginThrottle.release(account.email, reserved.reservation).catch(() => undefined);
    }
    throw error;
  }
  if (!account.mfaEnabled || proved) await deps.loginThrottle.recordSuccess(account.email, reserved.reservation);
  else await deps.loginThrottle.release(account.email, reserved.reservation).catch(() => undefined);
  return result;
}

async function recordLock(deps: AccountAttemptPorts, account: AccountOfAttempt, lockedUntil: Date, lockLevel: number, ctx: RequestContext) {
  const now = deps.clock.now();
  const actor: Actor = { type: 'user', id: account.userId, identifier: account.email };
  await deps.uow.run((repositories) =>
    repositories.audit.append(
      auditEntry(deps, ctx, {
        event: 'loginLocked',
        userId: account.userId,
        actor,
        at: now,
        severity: 'critical',
        status: 'failure',
        failureReason: 'too_many_failed_attempts',
        metadata: { locked_until: lockedUntil.toISOString(), lock_level: lockLevel },
      }),
    ),
  );
  deps.metrics.loginLocked();
  deps.securityLog.record('login_locked', {
    user_id: account.userId,
    locked_until: lockedUntil.toISOString(),
    lock_level: lockLevel,
    request_id: ctx.requestId,
    ip_address: ctx.ipAddress,
  });
}
