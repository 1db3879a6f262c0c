import type { Actor, RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { auditEntry, domainEvent } from '../records';
import { consumeLinkToken } from './link-tokens';

export type VerifyEmailPorts = Pick<Ports, 'uow' | 'oneTimeSecrets' | 'ids' | 'clock' | 'auditRetentionDays'>;

/**
 * POST /auth/email/verify {token}: the link of a `verify_email` mail proves the address.
 * The token is used once; a token issued for an address the account no longer has is dead.
 */
export class VerifyEmail {
  constructor(private readonly deps: VerifyEmailPorts) {}

  async execute(input: { token: string }, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    await deps.uow.run(async (repositories) => {
      const { user } = await consumeLinkToken(deps, repositories, input.token, 'email_verification', { expectAccountEmail: true });
      // Verified meanwhile (a reset or a second link): nothing changes, nothing to announce.
      if (user.emailVerifiedAt) return;
      const now = deps.clock.now();
      await repositories.users.update(user.id, { emailVerifiedAt: now }, now);
      const actor: Actor = { type: 'user', id: user.id, identifier: user.email };
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'emailVerified',
          userId: user.id,
          actor,
          at: now,
          previousState: { email_verified: false },
          newState: { email_verified: true },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, { type: 'user.email.verified', userId: user.id, at: now, payload: { email: user.email } }),
      );
    });
  }
}
