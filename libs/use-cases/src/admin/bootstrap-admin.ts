import { AppError } from '@pandora/errors';
import type { Actor } from '@pandora/domain';
import { emailSchema } from '@pandora/domain';
import type { User } from '@pandora/domain';
import { assertPasswordPolicy } from '@pandora/domain';
import { auditEntry, domainEvent } from '../records';
import { NO_REQUEST_CONTEXT } from '@pandora/domain';
import type { Ports } from '../ports';
import { changeRole, type ChangeRolePorts } from './change-role';

export interface BootstrapAdminInput {
  email: string;
  firstName: string;
  lastName: string;
  /** Asked for only when a new account is created (an existing account keeps its password). */
  password: () => Promise<string>;
}

export type BootstrapOutcome = 'created' | 'promoted' | 'already_admin';

const CLI_ACTOR: Actor = { type: 'system', id: null, identifier: 'admin:create' };

export type BootstrapAdminPorts = ChangeRolePorts & Pick<Ports, 'uow' | 'repositories' | 'hasher' | 'clock' | 'ids' | 'auditRetentionDays'>;

/**
 * `npm run admin:create`: creates the first administrator, or promotes an existing account.
 * The password policy applies; the account is audited and announced like any other.
 */
export class BootstrapAdmin {
  constructor(private readonly deps: BootstrapAdminPorts) {}

  async execute(input: BootstrapAdminInput): Promise<{ user: User; outcome: BootstrapOutcome }> {
    const { deps } = this;
    const parsed = emailSchema.safeParse(input.email);
    if (!parsed.success) throw AppError.invalidInput([{ field: 'email', message: 'must be a valid email address' }]);
    const email = parsed.data;

    const existing = await deps.repositories.users.findByEmail(email);
    if (existing) {
      if (existing.role === 'admin') return { user: existing, outcome: 'already_admin' };
      const user = await changeRole(
        deps,
        { userId: existing.id, role: 'admin', actor: CLI_ACTOR, actorSessionId: null },
        NO_REQUEST_CONTEXT,
      );
      return { user, outcome: 'promoted' };
    }

    const password = await input.password();
    assertPasswordPolicy(password, email);
    const passwordHash = await deps.hasher.hash(password);
    const now = deps.clock.now();
    const user = await deps.uow.run(async (repositories) => {
      const created = await repositories.users.create({
        id: deps.ids.newId(),
        email,
        passwordHash,
        firstName: input.firstName,
        lastName: input.lastName,
        role: 'admin',
        createdAt: now,
      });
      await repositories.audit.append(
        auditEntry(deps, NO_REQUEST_CONTEXT, {
          event: 'adminCreated',
          userId: created.id,
          actor: CLI_ACTOR,
          at: now,
          severity: 'warning',
          newState: { email: created.email, role: created.role },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, NO_REQUEST_CONTEXT, CLI_ACTOR, {
          type: 'user.registered',
          userId: created.id,
          at: now,
          payload: { email: created.email, first_name: created.firstName, last_name: created.lastName, role: created.role },
        }),
      );
      return created;
    });
    return { user, outcome: 'created' };
  }
}
