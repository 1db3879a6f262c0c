import type { NewRefreshToken, NewSession, RefreshTokenRecord, Role, Session, SessionPrincipal, SessionRepository } from '@pandora/domain';
import type { Db } from './prisma-client';
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

export class PrismaSessionRepository implements SessionRepository {
  constructor(private readonly db: Db) {}

  async create(session: NewSession, refreshToken: NewRefreshToken): Promise<Session> {
    const row = await this.db.session.create({
      data: {
        id: session.id,
        userId: session.userId,
        ipAddress: session.ipAddress,
        userAgent: session.userAgent,
        createdAt: session.createdAt,
        lastUsedAt: session.createdAt,
        expiresAt: session.expiresAt,
        absoluteExpiresAt: session.absoluteExpiresAt,
        refreshTokens: {
          create: {
            id: refreshToken.id,
            tokenHash: refreshToken.tokenHash,
            createdAt: refreshToken.createdAt,
            expiresAt: refreshToken.expiresAt,
          },
        },
      },
    });
    return toSession(row);
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
    const rows = await this.db.$queryRaw<Array<SessionSqlRow & { token_id: string; token_expires_at: Date; token_rotated_at: Date | null }>>`
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
    const rows = await this.db.$queryRaw<
      Array<{ id: string; user_id: string; email: string; role: string; revoked_at: Date | null; absolute_expires_at: Date; deleted_at: Date | null }>
    >`
      SELECT s.id, s.user_id, u.email, u.role::text AS role, s.revoked_at, s.absolute_expires_at, u.deleted_at
      FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ${sessionId}::uuid`;
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
