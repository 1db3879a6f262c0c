import type { NewRefreshToken, NewSession, RefreshTokenRecord, Role, Session, SessionPrincipal, SessionRepository } from '@pandora/domain';
import { directPoolOf, type Db } from './prisma-client';
import { toSession } from './row-mappers';

interface SessionSqlRow {
  id: string;
  user_id: string;
  ip_address: string | null;
  user_agent: string | null;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  absolute_expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

function fromSql(row: SessionSqlRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
  };
}

const CREATE_SESSION_SQL = `WITH session AS (
    INSERT INTO sessions (id, user_id, ip_address, user_agent, created_at, last_used_at, expires_at, absolute_expires_at)
    VALUES ($1::uuid, $2::uuid, $3, $4, $5, $5, $6, $7)
    RETURNING id, user_id, ip_address, user_agent, created_at, last_used_at, expires_at, absolute_expires_at, revoked_at, revoked_reason
  ), token AS (
    INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)
    SELECT $8::uuid, session.id, $9::text, $10::timestamptz, $11::timestamptz FROM session
  )
  SELECT * FROM session`;

interface PrincipalRow {
  id: string;
  user_id: string;
  email: string;
  role: string;
  revoked_at: Date | null;
  absolute_expires_at: Date;
  deleted_at: Date | null;
}

const PRINCIPAL_SQL = `SELECT s.id, s.user_id, u.email, u.role::text AS role, s.revoked_at, s.absolute_expires_at, u.deleted_at
  FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.id = $1::uuid`;

export class PrismaSessionRepository implements SessionRepository {
  constructor(private readonly db: Db) {}

  async create(session: NewSession, refreshToken: NewRefreshToken): Promise<Session> {
    // One statement for both rows (Prisma's nested create takes three, each through its query
    // compiler): every login and registration runs this (docs/benchmarks.md).
    const rows = await this.db.$queryRawUnsafe<SessionSqlRow[]>(
      CREATE_SESSION_SQL,
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
    );
    return fromSql(rows[0] as SessionSqlRow);
  }

  async findById(id: string): Promise<Session | null> {
    const row = await this.db.session.findUnique({ where: { id } });
    return row ? toSession(row) : null;
  }

  async listActive(userId: string, now: Date): Promise<Session[]> {
    const rows = await this.db.session.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: now }, absoluteExpiresAt: { gt: now } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    return rows.map(toSession);
  }

  async findRefreshTokenForUpdate(tokenHash: string): Promise<{ token: RefreshTokenRecord; session: Session } | null> {
    // Both rows are locked: concurrent refreshes of one token serialise on the token, and a
    // concurrent revocation of the session waits for (or is seen by) the rotation.
    const rows = await this.db.$queryRaw<
      Array<SessionSqlRow & { token_id: string; token_expires_at: Date; token_rotated_at: Date | null }>
    >`
      SELECT rt.id AS token_id, rt.expires_at AS token_expires_at, rt.rotated_at AS token_rotated_at,
             s.id, s.user_id, s.ip_address, s.user_agent, s.created_at, s.last_used_at, s.expires_at,
             s.absolute_expires_at, s.revoked_at, s.revoked_reason
      FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id
      WHERE rt.token_hash = ${tokenHash}
      FOR UPDATE OF rt, s`;
    const row = rows[0];
    if (!row) return null;
    return {
      token: { id: row.token_id, sessionId: row.id, expiresAt: row.token_expires_at, rotatedAt: row.token_rotated_at },
      session: fromSql(row),
    };
  }

  async rotateRefreshToken(input: {
    currentTokenId: string;
    sessionId: string;
    next: NewRefreshToken;
    at: Date;
    sessionExpiresAt: Date;
  }): Promise<Session> {
    await this.db.refreshToken.create({
      data: {
        id: input.next.id,
        sessionId: input.sessionId,
        tokenHash: input.next.tokenHash,
        createdAt: input.next.createdAt,
        expiresAt: input.next.expiresAt,
      },
    });
    await this.db.refreshToken.update({
      where: { id: input.currentTokenId },
      data: { rotatedAt: input.at, replacedById: input.next.id },
    });
    const row = await this.db.session.update({
      where: { id: input.sessionId },
      data: { lastUsedAt: input.at, expiresAt: input.sessionExpiresAt },
    });
    return toSession(row);
  }

  async revoke(sessionIds: string[], reason: string, at: Date): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.db.$queryRaw<Array<{ id: string }>>`
      UPDATE sessions SET revoked_at = ${at}, revoked_reason = ${reason}
      WHERE id = ANY(${sessionIds}::uuid[]) AND revoked_at IS NULL AND expires_at > ${at} AND absolute_expires_at > ${at}
      RETURNING id`;
    return rows.map((row) => row.id).sort();
  }

  async revokeAllForUser(userId: string, reason: string, at: Date, options: { exceptSessionId?: string } = {}): Promise<string[]> {
    const except = options.exceptSessionId ?? '00000000-0000-0000-0000-000000000000';
    const rows = await this.db.$queryRaw<Array<{ id: string }>>`
      UPDATE sessions SET revoked_at = ${at}, revoked_reason = ${reason}
      WHERE user_id = ${userId}::uuid AND id <> ${except}::uuid
        AND revoked_at IS NULL AND expires_at > ${at} AND absolute_expires_at > ${at}
      RETURNING id`;
    return rows.map((row) => row.id).sort();
  }

  countActive(now: Date): Promise<number> {
    return this.db.session.count({ where: { revokedAt: null, expiresAt: { gt: now }, absoluteExpiresAt: { gt: now } } });
  }

  async loadPrincipal(sessionId: string): Promise<SessionPrincipal | null> {
    // On every request whose session is not cached: hand-written SQL on the client's own pool
    // when there is one (prisma-client.ts, directPoolOf), else through Prisma.
    const direct = directPoolOf(this.db);
    const rows = direct
      ? (await direct.query<PrincipalRow>(PRINCIPAL_SQL, [sessionId])).rows
      : await this.db.$queryRawUnsafe<PrincipalRow[]>(PRINCIPAL_SQL, sessionId);
    const row = rows[0];
    if (!row) return null;
    return {
      sessionId: row.id,
      userId: row.user_id,
      email: row.email,
      role: row.role as Role,
      sessionRevokedAt: row.revoked_at,
      sessionAbsoluteExpiresAt: row.absolute_expires_at,
      userDeletedAt: row.deleted_at,
    };
  }
}
