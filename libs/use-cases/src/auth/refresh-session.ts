import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import { isSessionActive, type Session } from '@pandora/domain';
import type { User } from '@pandora/domain';
import { auditEntry } from '../records';
import { announceRevokedSessions } from '../sessions/end-sessions';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { completeAuth, type AuthResult } from './auth-result';

export type RefreshSessionPorts = Pick<
  Ports,
  'uow' | 'accessTokens' | 'refreshTokens' | 'principals' | 'clock' | 'ids' | 'metrics' | 'securityLog' | 'auth' | 'auditRetentionDays'
>;

type Outcome =
  | { kind: 'invalid' }
  | { kind: 'grace' }
  | { kind: 'reused'; sessionId: string; userId: string; revoked: string[] }
  | { kind: 'rotated'; user: User; session: Session; refreshToken: string };

/**
 * Refresh-token rotation with reuse detection (docs/tokens.md#refresh-tokens). The presented token's row is locked, so
 * of N concurrent refreshes with one token exactly one rotates it; the others see it rotated
 * moments ago (inside the grace window) and get 401 without harm. A rotated token presented after
 * the grace window means two parties hold the token: the whole session is revoked.
 */
export class RefreshSession {
  constructor(private readonly deps: RefreshSessionPorts) {}

  async execute(input: { refreshToken: string }, ctx: RequestContext): Promise<AuthResult> {
    const { deps } = this;
    const tokenHash = deps.refreshTokens.hash(input.refreshToken);
    if (!tokenHash) return this.reject('invalid');
    const now = deps.clock.now();
    const { refreshTokenTtlMs, refreshReuseGraceMs } = deps.auth;

    const outcome = await deps.uow.run<Outcome>(async (repositories) => {
      const found = await repositories.sessions.findRefreshTokenForUpdate(tokenHash);
      if (!found) return { kind: 'invalid' };
      const { token, session } = found;

      if (token.rotatedAt) {
        if (now.getTime() - token.rotatedAt.getTime() <= refreshReuseGraceMs) return { kind: 'grace' };
        const revoked = await repositories.sessions.revoke([session.id], 'refresh_token_reuse', now);
        const actor: Actor = { type: 'system', id: null, identifier: 'refresh-token-reuse-detection' };
        await repositories.audit.append(
          auditEntry(deps, ctx, {
            event: 'refreshTokenReused',
            userId: session.userId,
            actor,
            at: now,
            severity: 'critical',
            status: 'failure',
            failureReason: 'refresh_token_reuse',
            sessionId: session.id,
            resourceType: 'session',
            resourceId: session.id,
            metadata: { token_rotated_at: token.rotatedAt.toISOString(), session_revoked: revoked.length > 0 },
          }),
        );
        await announceRevokedSessions(deps, repositories, ctx, actor, {
          userId: session.userId,
          sessionIds: revoked,
          reason: 'refresh_token_reuse',
          at: now,
        });
        return { kind: 'reused', sessionId: session.id, userId: session.userId, revoked };
      }

      if (!isSessionActive(session, now) || token.expiresAt <= now) return { kind: 'invalid' };
      const user = await repositories.users.findById(session.userId);
      if (!user) return { kind: 'invalid' };

      const next = deps.refreshTokens.generate();
      const expiresAt = new Date(Math.min(now.getTime() + refreshTokenTtlMs, session.absoluteExpiresAt.getTime()));
      const rotated = await repositories.sessions.rotateRefreshToken({
        currentTokenId: token.id,
        sessionId: session.id,
        next: { id: deps.ids.newId(), tokenHash: next.hash, createdAt: now, expiresAt },
        at: now,
        sessionExpiresAt: expiresAt,
      });
      return { kind: 'rotated', user, session: rotated, refreshToken: next.token };
    });

    if (outcome.kind === 'rotated') {
      deps.metrics.tokenRefresh('success');
      return completeAuth(deps, outcome.user, { session: outcome.session, refreshToken: outcome.refreshToken, issuedAt: now });
    }
    if (outcome.kind === 'reused') {
      deps.principals.invalidate(outcome.revoked);
      deps.securityLog.record('refresh_token_reuse_detected', {
        user_id: outcome.userId,
        session_id: outcome.sessionId,
        session_revoked: outcome.revoked.length > 0,
        request_id: ctx.requestId,
        ip_address: ctx.ipAddress,
      });
    }
    return this.reject(outcome.kind);
  }

  private reject(kind: 'invalid' | 'grace' | 'reused'): never {
    this.deps.metrics.tokenRefresh(kind === 'reused' ? 'reuse_detected' : kind);
    throw new AppError('INVALID_REFRESH_TOKEN');
  }
}
