import type { components, operations, paths } from './generated/admin-api';

/**
 * The admin API's shapes, as the OpenAPI document of the admin listener defines them (the generated
 * file is rewritten by `npm run openapi:generate`; a test fails when it is stale). Nothing here is
 * written by hand except what the document does not describe yet, marked as such below.
 */
type Schemas = components['schemas'];

export type AdminUser = Schemas['AdminUser'];
export type AdminUserList = Schemas['AdminUserList'];
export type Session = Schemas['Session'];
export type AuditEntry = Schemas['AuditLogEntry'];
export type AuditPage = Schemas['AuditLogPage'];
export type Statistics = Schemas['Statistics'];
export type AuthResponse = Schemas['AuthResponse'];
export type ErrorEnvelope = Schemas['ErrorEnvelope'];
export type ErrorCode = ErrorEnvelope['error']['code'];
export type KycChange = Schemas['AdminKycStatusChange'];
export type KycStatus = AdminUser['kyc_status'];
export type Role = AdminUser['role'];
export type UserListQuery = NonNullable<operations['adminListUsers']['parameters']['query']>;
export type AuditQuery = NonNullable<operations['adminQueryAuditLog']['parameters']['query']>;
export type ApiPath = keyof paths;

export type MfaChallenge = Schemas['MfaChallenge'];
export type LoginAnswer = Schemas['LoginAnswer'];

/** The admin view of a user, `frozen_at` (the freeze switch) included. */
export type AdminUserView = AdminUser;

/** A login answered a challenge (the account has a second factor) rather than the token pair. */
export function isMfaChallenge(body: LoginAnswer): body is MfaChallenge {
  return 'mfa_required' in body && body.mfa_required === true;
}
