import {
  isSupersededByNewer,
  ONE_TIME_TOKEN_KINDS_REVOKED_BY_DEFAULT,
  type NewOneTimeToken,
  type OneTimeToken,
  type OneTimeTokenKind,
  type OneTimeTokenRepository,
} from '@pandora/domain';
import type { Queryable } from './sql/database';
import { oneTimeTokens } from './tables/one-time-tokens';

const COLUMNS = oneTimeTokens.select(undefined, ['id', 'userId', 'kind', 'email', 'createdAt', 'expiresAt', 'usedAt']);
// A newer token supersedes: the user's unused tokens of the kind go in the same statement as the insert.
const SUPERSEDE = 'DELETE FROM one_time_tokens WHERE user_id = $1::uuid AND kind = $2 AND used_at IS NULL';
const FIND_LIVE = `SELECT ${COLUMNS} FROM one_time_tokens
  WHERE token_hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3::timestamptz`;
const CONSUME = `UPDATE one_time_tokens SET used_at = $3::timestamptz
  WHERE token_hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3::timestamptz
  RETURNING ${COLUMNS}`;
const REVOKE_KINDS =
  'UPDATE one_time_tokens SET used_at = $2::timestamptz WHERE user_id = $1::uuid AND used_at IS NULL AND kind = ANY($3::text[])';

export class PgOneTimeTokenRepository implements OneTimeTokenRepository {
  constructor(private readonly db: Queryable) {}

  async issue(token: NewOneTimeToken): Promise<void> {
    if (isSupersededByNewer(token.kind)) await this.db.query(SUPERSEDE, [token.userId, token.kind]);
    const insert = oneTimeTokens.insert({ ...token, usedAt: null });
    await this.db.query(insert.text, insert.values);
  }

  async findLive(tokenHash: string, kind: OneTimeTokenKind, at: Date): Promise<OneTimeToken | null> {
    const { rows } = await this.db.query<OneTimeToken>(FIND_LIVE, [tokenHash, kind, at]);
    return rows[0] ?? null;
  }

  async consume(tokenHash: string, kind: OneTimeTokenKind, at: Date): Promise<OneTimeToken | null> {
    const { rows } = await this.db.query<OneTimeToken>(CONSUME, [tokenHash, kind, at]);
    return rows[0] ?? null;
  }

  async revokeAll(userId: string, at: Date, kinds?: readonly OneTimeTokenKind[]): Promise<number> {
    const { rowCount } = await this.db.query(REVOKE_KINDS, [userId, at, kinds ?? ONE_TIME_TOKEN_KINDS_REVOKED_BY_DEFAULT]);
    return rowCount ?? 0;
  }
}
