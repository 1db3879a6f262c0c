import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import { assertPasswordPolicy } from '@pandora/domain';
import { auditEntry, domainEvent } from '../records';
import { announceRevokedSessions } from '../sessions/end-sessions';
import type { Principal, RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';

export type ChangePasswordPorts = Pick<Ports, 'uow' | 'repositories' | 'hasher' | 'principals' | 'clock' | 'ids' | 'auditRetentionDays'>;

/**
 * POST /users/me/password. The current password must be proven first (a stolen access token alone
 * cannot take the account over); every other session is then revoked, the caller's own survives.
 */
export class ChangePassword {
  constructor(private readonly deps: ChangePasswordPorts) {}

  async execute(principal: Principal, input: { currentPassword: string; newPassword: string }, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    const credentials = await deps.repositories.users.findCredentialsById(principal.userId);
    if (!credentials) throw new AppError('USER_NOT_FOUND');
    const { user } = credentials;
    const actor: Actor = { type: 'user', id: user.id, identifier: user.email };

    if (!(await deps.hasher.verify(credentials.passwordHash, input.currentPassword))) {
      const now = deps.clock.now();
      await deps.uow.run((repositories) =>
        repositories.audit.append(
          auditEntry(deps, ctx, {
            event: 'passwordChanged',
            userId: user.id,
            actor,
            at: now,
            sessionId: principal.sessionId,
            severity: 'warning',
            status: 'failure',
            failureReason: 'invalid_current_password',
          }),
        ),
      );
      throw new AppError('INVALID_CREDENTIALS', 'The current password is not correct.');
    }
    assertPasswordPolicy(input.newPassword, user.email);
    const passwordHash = await deps.hasher.hash(input.newPassword);
    const now = deps.clock.now();

    const revoked = await deps.uow.run(async (repositories) => {
      await repositories.users.update(user.id, { passwordHash }, now);
      const revoked = await repositories.sessions.revokeAllForUser(user.id, 'password_changed', now, {
        exceptSessionId: principal.sessionId,
      });
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'passwordChanged',
          userId: user.id,
          actor,
          at: now,
          sessionId: principal.sessionId,
          isSensitive: true,
          metadata: { revoked_sessions: revoked.length },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, { type: 'user.password.changed', userId: user.id, at: now, payload: { email: user.email } }),
      );
      await announceRevokedSessions(deps, repositories, ctx, actor, {
        userId: user.id,
        sessionIds: revoked,
        reason: 'password_changed',
        at: now,
      });
      return revoked;
    });
    deps.principals.invalidate(revoked);
  }
}
