import type { AuthenticationLevel, AuthenticationMethod } from '@pandora/domain';
import { col, defineTable, type RowOf } from '../sql/table';

/** `sessions`: a login on one device, the unit that is listed, revoked and rotated. */
export const sessions = defineTable('sessions', {
  id: col.uuid('id'),
  userId: col.uuid('user_id'),
  ipAddress: col.nullable(col.text('ip_address')),
  userAgent: col.nullable(col.text('user_agent')),
  createdAt: col.timestamptz('created_at'),
  lastUsedAt: col.timestamptz('last_used_at'),
  expiresAt: col.timestamptz('expires_at'),
  absoluteExpiresAt: col.timestamptz('absolute_expires_at'),
  revokedAt: col.nullable(col.timestamptz('revoked_at')),
  revokedReason: col.nullable(col.text('revoked_reason')),
  amr: col.textArray<AuthenticationMethod>('amr'),
  aal: col.int<AuthenticationLevel>('aal'),
  authTime: col.timestamptz('auth_time'),
});

export type SessionRow = RowOf<typeof sessions.columns>;
