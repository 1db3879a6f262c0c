import { MFA_CHALLENGE_MAX_FAILURES, type MfaChallenge, type MfaChallengeRepository } from '@pandora/domain';
import type { Queryable } from './sql/database';
import { mfaChallenges, type MfaChallengeRow } from './tables/mfa-challenges';

const COLUMNS = mfaChallenges.select(undefined, ['id', 'userId', 'requiredRole', 'failedAttempts', 'createdAt', 'expiresAt', 'consumedAt']);
const BY_TOKEN_HASH = `SELECT ${COLUMNS} FROM mfa_challenges WHERE token_hash = $1`;
const LOCK_BY_TOKEN_HASH = `${BY_TOKEN_HASH} FOR UPDATE`;
const RECORD_FAILURE =
  'UPDATE mfa_challenges SET failed_attempts = failed_attempts + 1 WHERE id = $1::uuid RETURNING failed_attempts AS "failedAttempts"';
const CONSUME = 'UPDATE mfa_challenges SET consumed_at = $2::timestamptz WHERE id = $1::uuid';
const DELETE_SPENT = `DELETE FROM mfa_challenges
  WHERE user_id = $1::uuid AND (expires_at <= $2::timestamptz OR consumed_at IS NOT NULL OR failed_attempts >= $3::int)`;

type ChallengeRow = Omit<MfaChallengeRow, 'tokenHash'>;

export class PgMfaChallengeRepository implements MfaChallengeRepository {
  constructor(private readonly db: Queryable) {}

  async create(challenge: Omit<MfaChallenge, 'failedAttempts' | 'consumedAt'> & { tokenHash: string }): Promise<void> {
    const insert = mfaChallenges.insert({ ...challenge, failedAttempts: 0 });
    await this.db.query(insert.text, insert.values);
  }

  async findByTokenHash(tokenHash: string): Promise<MfaChallenge | null> {
    const { rows } = await this.db.query<ChallengeRow>(BY_TOKEN_HASH, [tokenHash]);
    return rows[0] ?? null;
  }

  async lockByTokenHash(tokenHash: string): Promise<MfaChallenge | null> {
    const { rows } = await this.db.query<ChallengeRow>(LOCK_BY_TOKEN_HASH, [tokenHash]);
    return rows[0] ?? null;
  }

  async recordFailure(id: string): Promise<number> {
    const { rows } = await this.db.query<{ failedAttempts: number }>(RECORD_FAILURE, [id]);
    return rows[0]?.failedAttempts ?? 0;
  }

  async consume(id: string, at: Date): Promise<void> {
    await this.db.query(CONSUME, [id, at]);
  }

  async deleteSpent(userId: string, now: Date): Promise<number> {
    const { rowCount } = await this.db.query(DELETE_SPENT, [userId, now, MFA_CHALLENGE_MAX_FAILURES]);
    return rowCount ?? 0;
  }
}
