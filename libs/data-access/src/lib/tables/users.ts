import type { KycStatus, Role } from '@pandora/domain';
import { col, defineTable, type RowOf } from '../sql/table';

/** `users`: one row per account; `email` is stored lower-cased and unique among active accounts. */
export const users = defineTable('users', {
  id: col.uuid('id'),
  email: col.text('email'),
  passwordHash: col.text('password_hash'),
  firstName: col.text('first_name'),
  lastName: col.text('last_name'),
  role: col.text<Role>('role'),
  kycStatus: col.text<KycStatus>('kyc_status'),
  createdAt: col.timestamptz('created_at'),
  updatedAt: col.timestamptz('updated_at'),
  deletedAt: col.nullable(col.timestamptz('deleted_at')),
  mfaEnabled: col.boolean('mfa_enabled'),
  securityChangedAt: col.nullable(col.timestamptz('security_changed_at')),
  frozenAt: col.nullable(col.timestamptz('frozen_at')),
  antiPhishingCode: col.nullable(col.text('anti_phishing_code')),
  emailVerifiedAt: col.nullable(col.timestamptz('email_verified_at')),
});

export type UserRow = RowOf<typeof users.columns>;
