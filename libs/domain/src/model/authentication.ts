/**
 * How a session was authenticated, as its access tokens state it (`amr`, `aal`, `auth_time`).
 * `amr` values are RFC 8176's: `pwd` (a password), `otp` (a one-time code: TOTP or a recovery code).
 */
export type AuthenticationMethod = 'pwd' | 'otp';
export type AuthenticationLevel = 1 | 2;

export interface Authentication {
  amr: AuthenticationMethod[];
  aal: AuthenticationLevel;
  /** When the user proved these factors (the login; refreshes keep it). */
  authTime: Date;
}

export function passwordAuthentication(at: Date): Authentication {
  return { amr: ['pwd'], aal: 1, authTime: at };
}

export function secondFactorAuthentication(at: Date): Authentication {
  return { amr: ['pwd', 'otp'], aal: 2, authTime: at };
}
