import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import type { User } from '@pandora/domain';
import { auditEntry, domainEvent } from '../records';
import type { Principal, RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';

export interface ProfileChanges {
  firstName?: string;
  lastName?: string;
}

export type UpdateProfilePorts = Pick<Ports, 'uow' | 'clock' | 'ids' | 'auditRetentionDays'>;

/** PUT/PATCH /users/me. Writing the values the profile already has is a no-op: no audit, no event. */
export class UpdateProfile {
  constructor(private readonly deps: UpdateProfilePorts) {}

  async execute(principal: Principal, changes: ProfileChanges, ctx: RequestContext): Promise<User> {
    const { deps } = this;
    const now = deps.clock.now();
    return deps.uow.run(async (repositories) => {
      const before = await repositories.users.lockById(principal.userId);
      if (!before) throw new AppError('USER_NOT_FOUND');
      const firstName = changes.firstName ?? before.firstName;
      const lastName = changes.lastName ?? before.lastName;
      if (firstName === before.firstName && lastName === before.lastName) return before;

      const after = await repositories.users.update(before.id, { firstName, lastName }, now);
      const actor: Actor = { type: 'user', id: before.id, identifier: before.email };
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'profileUpdated',
          userId: before.id,
          actor,
          at: now,
          sessionId: principal.sessionId,
          previousState: { first_name: before.firstName, last_name: before.lastName },
          newState: { first_name: after.firstName, last_name: after.lastName },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, {
          type: 'user.profile.updated',
          userId: after.id,
          at: now,
          payload: { email: after.email, first_name: after.firstName, last_name: after.lastName },
        }),
      );
      return after;
    });
  }
}
