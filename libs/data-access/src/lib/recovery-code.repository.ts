import type { NewRecoveryCode, RecoveryCodeRepository } from '@pandora/domain';
import type { Queryable } from './sql/database';

// One statement: the old set goes, the new one (the next generation) comes.
const REPLACE_ALL = `WITH old AS (
    DELETE FROM mfa_recovery_codes WHERE user_id = $1::uuid RETURNING generation
  )
  INSERT INTO mfa_recovery_codes (id, user_id, code_hash, key_id, generation, created_at)
  SELECT code.id, $1::uuid, code.code_hash, code.key_id, COALESCE((SELECT max(generation) FROM old), 0) + 1, $5::timestamptz
  FROM unnest($2::uuid[], $3::text[], $4::text[]) AS code(id, code_hash, key_id)`;

// Single use by construction: the row is taken only while used_at is still NULL. Of two concurrent
// uses, the second waits for the first's row lock, re-checks used_at against the committed row and
// updates nothing. (user_id, code_hash) is unique, so at most one row matches.
const CONSUME = `UPDATE mfa_recovery_codes SET used_at = $3::timestamptz
  WHERE user_id = $1::uuid AND code_hash = ANY($2::text[]) AND used_at IS NULL`;

const COUNT_UNUSED = 'SELECT count(*)::int AS unused FROM mfa_recovery_codes WHERE user_id = $1::uuid AND used_at IS NULL';
const DELETE_ALL = 'DELETE FROM mfa_recovery_codes WHERE user_id = $1::uuid';

export class PgRecoveryCodeRepository implements RecoveryCodeRepository {
  constructor(private readonly db: Queryable) {}

  async replaceAll(userId: string, codes: NewRecoveryCode[], at: Date): Promise<void> {
    await this.db.query(REPLACE_ALL, [
      userId,
      codes.map((code) => code.id),
      codes.map((code) => code.digest.hash),
      codes.map((code) => code.digest.keyId),
      at,
    ]);
  }

  async consume(userId: string, hashes: string[], at: Date): Promise<boolean> {
    if (hashes.length === 0) return false;
    const { rowCount } = await this.db.query(CONSUME, [userId, hashes, at]);
    return (rowCount ?? 0) > 0;
  }

  async countUnused(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ unused: number }>(COUNT_UNUSED, [userId]);
    return rows[0]?.unused ?? 0;
  }

  async deleteAll(userId: string): Promise<void> {
    await this.db.query(DELETE_ALL, [userId]);
  }
}
