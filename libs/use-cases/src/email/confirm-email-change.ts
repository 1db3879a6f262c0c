import type { Actor, RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { auditEntry, domainEvent } from '../records';
import { consumeLinkToken } from './link-tokens';

export type ConfirmEmailChangePorts = Pick<Ports, 'uow' | 'oneTimeSecrets' | 'ids' | 'clock' | 'auditRetentionDays'>;

/**
 * POST /auth/email/confirm {token}: the link of an `email_change_confirm` mail makes the change.
 * The new address is verified by this very click. 409 USER_ALREADY_EXISTS when an active account
 * took the address meanwhile (the link then stays usable: nothing was used). Every other link of
 * the account dies: a reset or verification link sent to the old address must not outlive it.
 * Sessions stay: the owner proved both the session (at the request) and the new mailbox.
 */
export class ConfirmEmailChange {
  constructor(private readonly deps: ConfirmEmailChangePorts) {}

  async execute(input: { token: string }, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    await deps.uow.run(async (repositories) => {
      const { user, token } = await consumeLinkToken(deps, repositories, input.token, 'email_change', { expectAccountEmail: false });
      const now = deps.clock.now();
      const oldEmail = user.email;
      const changed = await repositories.users.update(user.id, { email: token.email, emailVerifiedAt: now, securityChangedAt: now }, now);
      await repositories.oneTimeTokens.revokeAll(user.id, now);
      const actor: Actor = { type: 'user', id: user.id, identifier: changed.email };
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'emailChanged',
          userId: user.id,
          actor,
          at: now,
          severity: 'warning',
          previousState: { email: oldEmail, email_verified: user.emailVerifiedAt !== null },
          newState: { email: changed.email, email_verified: true },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, {
          type: 'user.email.changed',
          userId: user.id,
          at: now,
          payload: { email: changed.email, old_email: oldEmail },
        }),
      );
    });
  }
}
