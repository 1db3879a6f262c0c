import type { NewRefreshToken, NewSession, RefreshTokenRecord, Session, SessionRepository } from '@pandora/domain';
import type { QueryRunner } from './sql/database';
import { sessions, type SessionRow } from './tables/sessions';

/** Neither revoked nor past either expiry, as of $n. */
const ACTIVE_AT = (at: string) => `revoked_at IS NULL AND expires_at > ${at} AND absolute_expires_at > ${at}`;

// One statement for both rows: every login and registration runs it (docs/benchmarks.md). It reads
// nothing back — the session is what was written, with NewSession's documented defaults — so in a
// transaction it is held and travels with the next statement (docs/database.md, "Transactions").
const CREATE_SESSION = `WITH session AS (
    INSERT INTO sessions (id, user_id, ip_address, user_agent, created_at, last_used_at, expires_at, absolute_expires_at, amr, aal, auth_time)
    VALUES ($1::uuid, $2::uuid, $3, $4, $5::timestamptz, $5::timestamptz, $6::timestamptz, $7::timestamptz, COALESCE($12::text[], '{pwd}'), COALESCE($13::int, 1), COALESCE($14::timestamptz, $5::timestamptz))
    RETURNING id
  )
  INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)
  SELECT $8::uuid, session.id, $9::text, $10::timestamptz, $11::timestamptz FROM session`;

const BY_ID = `SELECT ${sessions.select()} FROM sessions WHERE id = $1::uuid`;

const LIST_ACTIVE = `SELECT ${sessions.select()} FROM sessions
  WHERE user_id = $1::uuid AND ${ACTIVE_AT('$2::timestamptz')}
  ORDER BY created_at DESC, id DESC`;

// Both rows are locked: concurrent refreshes of one token serialise on the token, and a concurrent
// revocation of the session waits for (or is seen by) the rotation.
const REFRESH_TOKEN_FOR_UPDATE = `SELECT rt.id AS "tokenId", rt.expires_at AS "tokenExpiresAt", rt.rotated_at AS "tokenRotatedAt",
    ${sessions.select('s')}
  FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id
  WHERE rt.token_hash = $1
  FOR UPDATE OF rt, s`;

// One statement: the successor token, the used token marked, the session's expiry moved.
const ROTATE = `WITH next AS (
    INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)
    VALUES ($1::uuid, $2::uuid, $3, $4::timestamptz, $5::timestamptz)
  ), used AS (
    UPDATE refresh_tokens SET rotated_at = $6::timestamptz, replaced_by_id = $1::uuid WHERE id = $7::uuid
  )
  UPDATE sessions SET last_used_at = $6::timestamptz, expires_at = $8::timestamptz WHERE id = $2::uuid
  RETURNING ${sessions.select()}`;

const REVOKE = `UPDATE sessions SET revoked_at = $2::timestamptz, revoked_reason = $3
  WHERE id = ANY($1::uuid[]) AND ${ACTIVE_AT('$2::timestamptz')}
  RETURNING id`;

const REVOKE_ALL_FOR_USER = `UPDATE sessions SET revoked_at = $2::timestamptz, revoked_reason = $3
  WHERE user_id = $1::uuid AND id <> $4::uuid AND ${ACTIVE_AT('$2::timestamptz')}
  RETURNING id`;

const COUNT_ACTIVE = `SELECT count(*)::int AS total FROM sessions WHERE ${ACTIVE_AT('$1::timestamptz')}`;

const NO_SESSION = '00000000-0000-0000-0000-000000000000';

export class PgSessionRepository implements SessionRepository {
  constructor(private readonly db: QueryRunner) {}

  async create(session: NewSession, refreshToken: NewRefreshToken): Promise<Session> {
    await this.db.write(CREATE_SESSION, [
      session.id,
      session.userId,
      session.ipAddress,
      session.userAgent,
      session.createdAt,
      session.expiresAt,
      session.absoluteExpiresAt,
      refreshToken.id,
      refreshToken.tokenHash,
      refreshToken.createdAt,
      refreshToken.expiresAt,
      session.amr ?? null,
      session.aal ?? null,
      session.authTime ?? null,
    ]);
    // The row as stored (the columns are millisecond timestamps, like Date): the COALESCEs above, in JS.
    const at = (date: Date) => new Date(date.getTime());
    return {
      id: session.id,
      userId: session.userId,
      ipAddress: session.ipAddress,
      userAgent: session.userAgent,
      createdAt: at(session.createdAt),
      lastUsedAt: at(session.createdAt),
      expiresAt: at(session.expiresAt),
      absoluteExpiresAt: at(session.absoluteExpiresAt),
      revokedAt: null,
      revokedReason: null,
      amr: session.amr ? [...session.amr] : ['pwd'],
      aal: session.aal ?? 1,
      authTime: at(session.authTime ?? session.createdAt),
    };
  }

  async findById(id: string): Promise<Session | null> {
    const { rows } = await this.db.query<SessionRow>(BY_ID, [id]);
    return rows[0] ?? null;
  }

  async listActive(userId: string, now: Date): Promise<Session[]> {
    const { rows } = await this.db.query<SessionRow>(LIST_ACTIVE, [userId, now]);
    return rows;
  }

  async findRefreshTokenForUpdate(tokenHash: string): Promise<{ token: RefreshTokenRecord; session: Session } | null> {
    const { rows } = await this.db.query<SessionRow & { tokenId: string; tokenExpiresAt: Date; tokenRotatedAt: Date | null }>(
      REFRESH_TOKEN_FOR_UPDATE,
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    const { tokenId, tokenExpiresAt, tokenRotatedAt, ...session } = row;
    return { token: { id: tokenId, sessionId: session.id, expiresAt: tokenExpiresAt, rotatedAt: tokenRotatedAt }, session };
  }

  async rotateRefreshToken(input: {
    currentTokenId: string;
    sessionId: string;
    next: NewRefreshToken;
    at: Date;
    sessionExpiresAt: Date;
  }): Promise<Session> {
    const { rows } = await this.db.query<SessionRow>(ROTATE, [
      input.next.id,
      input.sessionId,
      input.next.tokenHash,
      input.next.createdAt,
      input.next.expiresAt,
      input.at,
      input.currentTokenId,
      input.sessionExpiresAt,
    ]);
    return rows[0] as SessionRow;
  }

  async revoke(sessionIds: string[], reason: string, at: Date): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const { rows } = await this.db.query<{ id: string }>(REVOKE, [sessionIds, at, reason]);
    return rows.map((row) => row.id).sort();
  }

  async revokeAllForUser(userId: string, reason: string, at: Date, options: { exceptSessionId?: string } = {}): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(REVOKE_ALL_FOR_USER, [userId, at, reason, options.exceptSessionId ?? NO_SESSION]);
    return rows.map((row) => row.id).sort();
  }

  async countActive(now: Date): Promise<number> {
    const { rows } = await this.db.query<{ total: number }>(COUNT_ACTIVE, [now]);
    return rows[0]?.total ?? 0;
  }
}
