/** Business counters the use cases increment (implemented with Prometheus in observability). */
/** `locked`: refused by the account lock; `rate_limited`: refused by the (client IP, email) failure limit. */
export type LoginResult = 'success' | 'invalid_credentials' | 'locked' | 'rate_limited' | 'forbidden';
export type RefreshResult = 'success' | 'invalid' | 'reuse_detected' | 'grace';

export interface DomainMetrics {
  registration(): void;
  login(result: LoginResult): void;
  tokenRefresh(result: RefreshResult): void;
  /** An account (email) was locked after too many failed logins. */
  loginLocked(): void;
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
};
export const noopSecurityLog: SecurityEventLog = { record: () => undefined };
