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

/**
 * Multi-factor login and the freeze switch are specified but not served yet, so the document does not
 * describe them. The console already speaks their announced shapes; these types go away (or become
 * aliases of generated ones) when the document gains them.
 */
export interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
  mfa_expires_in: number;
  methods: string[];
}

/** AdminUser plus the fields MFA and the freeze switch add: the console shows them only when present. */
export type AdminUserView = AdminUser & { mfa_enabled?: boolean; frozen_at?: string | null };

/** Routes announced with MFA and the freeze switch, not in the document yet. */
export type PendingPath = '/api/v1/admin/auth/mfa/verify' | '/api/v1/admin/users/{id}/mfa' | '/api/v1/admin/users/{id}/unfreeze';

export function isMfaChallenge(body: unknown): body is MfaChallenge {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Partial<MfaChallenge>;
  return candidate.mfa_required === true && typeof candidate.mfa_token === 'string';
}
