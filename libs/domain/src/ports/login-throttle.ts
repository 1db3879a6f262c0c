/**
 * Login throttling: two budgets of FAILED logins, so that guessing is slowed while people who log
 * in successfully, however often, are never limited (docs/abuse-controls.md#login-throttling):
 *  - per account: consecutive failures on one normalised email — existing or not — lock further
 *    attempts for an escalating period (LOGIN_LOCKOUT_*);
 *  - per (client IP, email): at most RATE_LIMIT_LOGIN_REQUESTS failures within
 *    RATE_LIMIT_LOGIN_WINDOW (sliding), when the caller names the source.
 * An attempt is reserved in both BEFORE the password is verified, so N parallel guesses can never
 * evaluate more than either budget. A success resets the account's count and its own (IP, email)
 * window; an admin unlock clears everything kept for the email, for every IP.
 */
export type LoginAttemptReservation =
  { allowed: true; reservation: string } | { allowed: false; retryAfterSeconds: number; refusedBy: LoginLimit };

/** `account`: the email is locked; `ip_and_email`: too many failures from this IP for this email. */
export type LoginLimit = 'account' | 'ip_and_email';

/** Where an attempt comes from; `ipAddress: null` (not known) shares one budget per email. */
export interface LoginSource {
  ipAddress: string | null;
}

export interface LoginThrottle {
  /** Without `source` only the account budget applies. */
  reserve(email: string, source?: LoginSource): Promise<LoginAttemptReservation>;
  /** The reserved attempt failed; returns the lock it caused, if any. */
  recordFailure(email: string, reservation: string): Promise<{ lockedUntil: Date | null; lockLevel: number }>;
  /** The reserved attempt succeeded: the failure count starts again from zero, for the account and its (IP, email) window. */
  recordSuccess(email: string, reservation: string): Promise<void>;
  /** The reserved attempt ended without a verdict (an error): give the slot back. */
  release(email: string, reservation: string): Promise<void>;
  /** Admin unlock: forget failures and any lock of the email, and its (IP, email) windows for every IP. */
  clear(email: string): Promise<void>;
  lockedUntil(email: string): Promise<Date | null>;
}

/** For processes that never log anyone in (gRPC, workers): every attempt allowed, nothing kept. */
export const NO_LOGIN_THROTTLE: LoginThrottle = {
  reserve: async () => ({ allowed: true, reservation: 'none' }),
  recordFailure: async () => ({ lockedUntil: null, lockLevel: 0 }),
  recordSuccess: async () => undefined,
  release: async () => undefined,
  clear: async () => undefined,
  lockedUntil: async () => null,
};
