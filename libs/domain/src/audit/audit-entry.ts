/**
 * One row of the immutable audit trail (docs/audit-trail.md). Written in the same transaction as the action it
 * records. It never holds a password, token or hash: only ids, handles and state snapshots.
 */
export type AuditCategory = 'authentication' | 'session' | 'user' | 'kyc' | 'admin' | 'security' | 'system';
export type AuditSeverity = 'info' | 'warning' | 'critical';
export type AuditStatus = 'success' | 'failure';

export const AUDIT_EVENTS = {
  userRegistered: { eventType: 'user.registered', category: 'user', action: 'register' },
  loginSucceeded: { eventType: 'auth.login.succeeded', category: 'authentication', action: 'login' },
  loginFailed: { eventType: 'auth.login.failed', category: 'authentication', action: 'login' },
  loginLocked: { eventType: 'security.login_locked', category: 'security', action: 'lock_login' },
  loginUnlocked: { eventType: 'admin.login_unlocked', category: 'admin', action: 'unlock_login' },
  loggedOut: { eventType: 'auth.logout', category: 'session', action: 'logout' },
  loggedOutEverywhere: { eventType: 'auth.logout_all', category: 'session', action: 'logout_all' },
  sessionRevoked: { eventType: 'session.revoked', category: 'session', action: 'revoke_session' },
  refreshTokenReused: { eventType: 'security.refresh_token_reused', category: 'security', action: 'refresh' },
  passwordChanged: { eventType: 'user.password.changed', category: 'user', action: 'change_password' },
  passwordResetRequested: { eventType: 'user.password.reset_requested', category: 'security', action: 'request_password_reset' },
  passwordReset: { eventType: 'user.password.reset', category: 'security', action: 'reset_password' },
  emailVerificationRequested: {
    eventType: 'user.email.verification_requested',
    category: 'user',
    action: 'request_email_verification',
  },
  emailVerified: { eventType: 'user.email.verified', category: 'user', action: 'verify_email' },
  emailChangeRequested: { eventType: 'user.email.change_requested', category: 'security', action: 'request_email_change' },
  emailChanged: { eventType: 'user.email.changed', category: 'security', action: 'change_email' },
  profileUpdated: { eventType: 'user.profile.updated', category: 'user', action: 'update_profile' },
  kycUpdated: { eventType: 'user.kyc.updated', category: 'kyc', action: 'update_kyc_status' },
  roleChanged: { eventType: 'user.role.changed', category: 'admin', action: 'change_role' },
  adminCreated: { eventType: 'admin.created', category: 'admin', action: 'create_admin' },
  userDeleted: { eventType: 'user.deleted', category: 'user', action: 'delete_user' },
  mfaChallengeIssued: { eventType: 'auth.mfa.challenge_issued', category: 'authentication', action: 'login' },
  mfaVerificationFailed: { eventType: 'auth.mfa.failed', category: 'authentication', action: 'verify_second_factor' },
  mfaSetupStarted: { eventType: 'user.mfa.setup_started', category: 'security', action: 'set_up_mfa' },
  mfaEnabled: { eventType: 'user.mfa.enabled', category: 'security', action: 'enable_mfa' },
  mfaDisabled: { eventType: 'user.mfa.disabled', category: 'security', action: 'disable_mfa' },
  mfaRecoveryCodesRegenerated: {
    eventType: 'user.mfa.recovery_codes_regenerated',
    category: 'security',
    action: 'regenerate_recovery_codes',
  },
  accountFrozen: { eventType: 'user.account.frozen', category: 'security', action: 'freeze_account' },
  accountUnfrozen: { eventType: 'user.account.unfrozen', category: 'admin', action: 'unfreeze_account' },
  antiPhishingCodeChanged: { eventType: 'user.anti_phishing_code.changed', category: 'security', action: 'change_anti_phishing_code' },
  auditRetentionCompleted: { eventType: 'audit.retention.completed', category: 'system', action: 'purge_expired_records' },
} as const satisfies Record<string, { eventType: string; category: AuditCategory; action: string }>;

export type AuditEventKey = keyof typeof AUDIT_EVENTS;

export interface AuditEntry {
  id: string;
  eventType: string;
  eventCategory: AuditCategory;
  severity: AuditSeverity;
  userId: string | null;
  actorType: string;
  actorIdentifier: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  sessionId: string | null;
  metadata: Record<string, unknown> | null;
  previousState: Record<string, unknown> | null;
  newState: Record<string, unknown> | null;
  status: AuditStatus;
  failureReason: string | null;
  retentionUntil: Date;
  isSensitive: boolean;
  createdAt: Date;
}
