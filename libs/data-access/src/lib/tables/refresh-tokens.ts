import { col, defineTable, type RowOf } from '../sql/table';

/**
 * `refresh_tokens`: every refresh token a session was ever issued (the rotation chain). Only the
 * SHA-256 of a token is stored; `rotatedAt` set means it was used once, and using it again is reuse.
 */
export const refreshTokens = defineTable('refresh_tokens', {
  id: col.uuid('id'),
  sessionId: col.uuid('session_id'),
  tokenHash: col.text('token_hash'),
  createdAt: col.timestamptz('created_at'),
  expiresAt: col.timestamptz('expires_at'),
  rotatedAt: col.nullable(col.timestamptz('rotated_at')),
  replacedById: col.nullable(col.uuid('replaced_by_id')),
});

export type RefreshTokenRow = RowOf<typeof refreshTokens.columns>;
