/** Business counters the use cases increment (implemented with Prometheus in observability). */
/**
 * `locked`: refused by the account lock; `rate_limited`: refused by the (client IP, email) failure limit;
 * `frozen`: the right password for an account its owner froze.
 */
export type LoginResult = 'success' | 'invalid_credentials' | 'locked' | 'rate_limited' | 'forbidden' | 'frozen';
export type RefreshResult = 'success' | 'invalid' | 'reuse_detected' | 'grace';
/**
 * Second-factor checks (`mfa_verifications_total{result}`): `success` (TOTP), `recovery_code`
 * (a recovery code used up), `invalid_code`, `replayed` (a TOTP code whose step was already
 * accepted), `missing` (a required `mfa_code` not given), `invalid_challenge` (an MFA login
 * challenge unknown, used, expired or exhausted).
 */
export type MfaVerificationResult = 'success' | 'recovery_code' | 'invalid_code' | 'replayed' | 'missing' | 'invalid_challenge';

export interface DomainMetrics {
  registration(): void;
  login(result: LoginResult): void;
  tokenRefresh(result: RefreshResult): void;
  /** An account (email) was locked after too many failed logins. */
  loginLocked(): void;
  mfaVerification(result: MfaVerificationResult): void;
}

/**
 * Security-relevant happenings, logged whatever the log level (docs/observability.md#security-events). Fields may hold an email
 * (never a password or a token): implementations mask personal data before writing anything.
 */
export interface SecurityEventLog {
  record(event: string, fields: Record<string, unknown>): void;
}

export const noopMetrics: DomainMetrics = {
  registration: () => undefined,
  login: () => undefined,
  tokenRefresh: () => undefined,
  loginLocked: () => undefined,
  mfaVerification: () => undefined,
};
export const noopSecurityLog: SecurityEventLog = { record: () => undefined };
