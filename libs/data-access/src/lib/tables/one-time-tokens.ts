import type { OneTimeTokenKind } from '@pandora/domain';
import { col, defineTable, type RowOf } from '../sql/table';

/** `one_time_tokens`: the mail flows' single-use tokens; only the SHA-256 of a token is stored. */
export const oneTimeTokens = defineTable('one_time_tokens', {
  id: col.uuid('id'),
  userId: col.uuid('user_id'),
  kind: col.text<OneTimeTokenKind>('kind'),
  tokenHash: col.text('token_hash'),
  email: col.text('email'),
  createdAt: col.timestamptz('created_at'),
  expiresAt: col.timestamptz('expires_at'),
  usedAt: col.nullable(col.timestamptz('used_at')),
});

export type OneTimeTokenRow = RowOf<typeof oneTimeTokens.columns>;
