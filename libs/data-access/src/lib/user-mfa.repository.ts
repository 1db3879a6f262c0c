import type { SealedSecret, UserMfaRecord, UserMfaRepository } from '@pandora/domain';
import type { Queryable } from './sql/database';
import { userMfa, type UserMfaRow } from './tables/user-mfa';

const BY_USER = `SELECT ${userMfa.select()} FROM user_mfa WHERE user_id = $1::uuid`;
const BY_USER_FOR_UPDATE = `${BY_USER} FOR UPDATE`;

// A new setup replaces the pending secret; the confirmed secret (if any) and the replay guard stay.
const SAVE_PENDING = `INSERT INTO user_mfa (user_id, pending_ciphertext, pending_nonce, pending_key_id, pending_created_at, created_at, updated_at)
  VALUES ($1::uuid, $2::bytea, $3::bytea, $4, $5::timestamptz, $5::timestamptz, $5::timestamptz)
  ON CONFLICT (user_id) DO UPDATE SET pending_ciphertext = EXCLUDED.pending_ciphertext, pending_nonce = EXCLUDED.pending_nonce,
    pending_key_id = EXCLUDED.pending_key_id, pending_created_at = EXCLUDED.pending_created_at, updated_at = EXCLUDED.updated_at`;

const CONFIRM = `UPDATE user_mfa SET secret_ciphertext = $2::bytea, secret_nonce = $3::bytea, secret_key_id = $4, enabled_at = $5::timestamptz,
    pending_ciphertext = NULL, pending_nonce = NULL, pending_key_id = NULL, pending_created_at = NULL, updated_at = $5::timestamptz
  WHERE user_id = $1::uuid`;

// The replay guard: one statement, so two replicas verifying the same code cannot both win. Under
// READ COMMITTED a concurrent UPDATE of the row waits for the first and then re-checks the WHERE
// against the committed step, so the loser updates 0 rows.
const ADVANCE_STEP = `UPDATE user_mfa SET last_used_step = $2::bigint
  WHERE user_id = $1::uuid AND (last_used_step IS NULL OR last_used_step < $2::bigint)`;

const RESEAL = `UPDATE user_mfa SET secret_ciphertext = $2::bytea, secret_nonce = $3::bytea, secret_key_id = $4, updated_at = $5::timestamptz
  WHERE user_id = $1::uuid`;

const DELETE = 'DELETE FROM user_mfa WHERE user_id = $1::uuid';

function sealed(ciphertext: Buffer | null, nonce: Buffer | null, keyId: string | null): SealedSecret | null {
  return ciphertext && nonce && keyId ? { ciphertext, nonce, keyId } : null;
}

function toRecord(row: UserMfaRow): UserMfaRecord {
  return {
    userId: row.userId,
    secret: sealed(row.secretCiphertext, row.secretNonce, row.secretKeyId),
    pending: sealed(row.pendingCiphertext, row.pendingNonce, row.pendingKeyId),
    pendingCreatedAt: row.pendingCreatedAt,
    lastUsedStep: row.lastUsedStep === null ? null : Number(row.lastUsedStep),
    enabledAt: row.enabledAt,
  };
}

const bytes = (value: Uint8Array) => Buffer.from(value.buffer, value.byteOffset, value.byteLength);

export class PgUserMfaRepository implements UserMfaRepository {
  constructor(private readonly db: Queryable) {}

  private async one(sql: string, userId: string): Promise<UserMfaRecord | null> {
    const { rows } = await this.db.query<UserMfaRow>(sql, [userId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  find(userId: string): Promise<UserMfaRecord | null> {
    return this.one(BY_USER, userId);
  }

  findForUpdate(userId: string): Promise<UserMfaRecord | null> {
    return this.one(BY_USER_FOR_UPDATE, userId);
  }

  async savePending(userId: string, pending: SealedSecret, at: Date): Promise<void> {
    await this.db.query(SAVE_PENDING, [userId, bytes(pending.ciphertext), bytes(pending.nonce), pending.keyId, at]);
  }

  async confirm(userId: string, secret: SealedSecret, at: Date): Promise<void> {
    await this.db.query(CONFIRM, [userId, bytes(secret.ciphertext), bytes(secret.nonce), secret.keyId, at]);
  }

  async advanceStep(userId: string, step: number): Promise<boolean> {
    const { rowCount } = await this.db.query(ADVANCE_STEP, [userId, String(step)]);
    return rowCount === 1;
  }

  async resealSecret(userId: string, secret: SealedSecret, at: Date): Promise<void> {
    await this.db.query(RESEAL, [userId, bytes(secret.ciphertext), bytes(secret.nonce), secret.keyId, at]);
  }

  async delete(userId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(DELETE, [userId]);
    return (rowCount ?? 0) > 0;
  }
}
