import { col, defineTable, type RowOf } from '../sql/table';

/**
 * `user_mfa`: one row per user with a TOTP factor (set up or pending). Secrets are sealed
 * (AES-256-GCM: ciphertext with tag, nonce, key id); `last_used_step` is the replay guard.
 */
export const userMfa = defineTable('user_mfa', {
  userId: col.uuid('user_id'),
  secretCiphertext: col.nullable(col.bytea('secret_ciphertext')),
  secretNonce: col.nullable(col.bytea('secret_nonce')),
  secretKeyId: col.nullable(col.text('secret_key_id')),
  pendingCiphertext: col.nullable(col.bytea('pending_ciphertext')),
  pendingNonce: col.nullable(col.bytea('pending_nonce')),
  pendingKeyId: col.nullable(col.text('pending_key_id')),
  pendingCreatedAt: col.nullable(col.timestamptz('pending_created_at')),
  lastUsedStep: col.nullable(col.bigintText('last_used_step')),
  enabledAt: col.nullable(col.timestamptz('enabled_at')),
  createdAt: col.timestamptz('created_at'),
  updatedAt: col.timestamptz('updated_at'),
});

export type UserMfaRow = RowOf<typeof userMfa.columns>;
