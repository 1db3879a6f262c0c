import { AppError } from '@pandora/errors';
import { ONE_TIME_TOKEN_KINDS, type Actor, type RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { auditEntry, domainEvent } from '../records';
import { announceRevokedSessions } from '../sessions/end-sessions';

export type FreezeAccountPorts = Pick<
  Ports,
  'uow' | 'principals' | 'oneTimeSecrets' | 'clock' | 'ids' | 'securityLog' | 'auditRetentionDays'
>;

/**
 * POST /auth/account/freeze {token}: the "this wasn't me" link of a security notice. The link is
 * the only credential — whoever reads the owner's mail may freeze the account, which is the point:
 * freezing can only take access away. In one transaction: the token is used (single use), the
 * account gets `frozen_at`, every session is revoked, every pending one-time token of every kind
 * dies (the other freeze links too: the account is frozen, and a reset or email-change link an
 * attacker requested must not outlive the freeze), with the audit row, `user.account.frozen` and
 * `session.revoked`. Logins are refused (ACCOUNT_FROZEN after the right password) until an
 * administrator unfreezes. A live link of an account already frozen is used up and changes nothing.
 */
export class FreezeAccount {
  constructor(private readonly deps: FreezeAccountPorts) {}

  async execute(input: { token: string }, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const tokenHash = deps.oneTimeSecrets.linkTokenHash(input.token);
    if (!tokenHash) throw new AppError('INVALID_OR_EXPIRED_TOKEN');

    const frozen = await deps.uow.run(async (repositories) => {
      const now = deps.clock.now();
      const token = await repositories.oneTimeTokens.consume(tokenHash, 'account_freeze', now);
      // A deleted account has nothing left to freeze; the throw rolls the consume back, which is moot.
      const user = token ? await repositories.users.lockById(token.userId) : null;
      if (!user) throw new AppError('INVALID_OR_EXPIRED_TOKEN');
      if (user.frozenAt !== null) return null;

      await repositories.users.update(user.id, { frozenAt: now }, now);
      const revokedTokens = await repositories.oneTimeTokens.revokeAll(user.id, now, ONE_TIME_TOKEN_KINDS);
      const revoked = await repositories.sessions.revokeAllForUser(user.id, 'account_frozen', now);
      // The link proves access to the owner's mailbox, not who clicked it: the account is the actor.
      const actor: Actor = { type: 'user', id: user.id, identifier: user.email };
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'accountFrozen',
          userId: user.id,
          actor,
          at: now,
          severity: 'critical',
          isSensitive: true,
          metadata: { revoked_sessions: revoked.length, revoked_tokens: revokedTokens, freeze_token_id: token?.id ?? null },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, {
          type: 'user.account.frozen',
          userId: user.id,
          at: now,
          payload: { email: user.email, frozen_at: now.toISOString() },
        }),
      );
      await announceRevokedSessions(deps, repositories, ctx, actor, {
        userId: user.id,
        sessionIds: revoked,
        reason: 'account_frozen',
        at: now,
      });
      return { userId: user.id, revoked };
    });

    if (!frozen) return;
    deps.principals.invalidate(frozen.revoked);
    deps.securityLog.record('account_frozen', {
      user_id: frozen.userId,
      revoked_sessions: frozen.revoked.length,
      request_id: ctx.requestId,
      ip_address: ctx.ipAddress,
    });
  }
}
