/**
 * Account throttling (docs/abuse-controls.md#login-throttling): consecutive failed logins on one normalised email — existing or
 * not — lock further attempts for an escalating period. An attempt is reserved BEFORE the password
 * is verified, so N parallel guesses can never evaluate more than the threshold.
 */
export type LoginAttemptReservation = { allowed: true; reservation: string } | { allowed: false; retryAfterSeconds: number };

export interface LoginThrottle {
  reserve(email: string): Promise<LoginAttemptReservation>;
  /** The reserved attempt failed; returns the lock it caused, if any. */
  recordFailure(email: string, reservation: string): Promise<{ lockedUntil: Date | null; lockLevel: number }>;
  /** The reserved attempt succeeded: the failure count starts again from zero. */
  recordSuccess(email: string, reservation: string): Promise<void>;
  /** The reserved attempt ended without a verdict (an error): give the slot back. */
  release(email: string, reservation: string): Promise<void>;
  /** Admin unlock: forget failures and any lock. */
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
