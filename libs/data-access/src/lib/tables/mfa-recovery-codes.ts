import { col, defineTable, type RowOf } from '../sql/table';

/** `mfa_recovery_codes`: a keyed hash per code (never the code), used at most once. */
export const mfaRecoveryCodes = defineTable('mfa_recovery_codes', {
  id: col.uuid('id'),
  userId: col.uuid('user_id'),
  codeHash: col.text('code_hash'),
  keyId: col.text('key_id'),
  generation: col.int('generation'),
  usedAt: col.nullable(col.timestamptz('used_at')),
  createdAt: col.timestamptz('created_at'),
});

export type MfaRecoveryCodeRow = RowOf<typeof mfaRecoveryCodes.columns>;
