import type { Actor } from '@pandora/domain';
import { normalizeEmail } from '@pandora/domain';
import { assertPasswordPolicy } from '@pandora/domain';
import { queueVerificationMail } from '../email/link-tokens';
import { auditEntry, domainEvent } from '../records';
import type { RequestContext } from '@pandora/domain';
import type { Ports } from '../ports';
import { completeAuth, openSession, type AuthResult } from './auth-result';
import { rememberRegistrationDevice } from '../notifications/login-devices';

export interface RegisterUserInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

export type RegisterUserPorts = Pick<
  Ports,
  | 'uow'
  | 'hasher'
  | 'accessTokens'
  | 'refreshTokens'
  | 'oneTimeSecrets'
  | 'clock'
  | 'ids'
  | 'metrics'
  | 'auth'
  | 'mailFlows'
  | 'auditRetentionDays'
>;

/** Creates an account and logs it in (POST /auth/register); the account's first `verify_email` mail commits with it. */
export class RegisterUser {
  constructor(private readonly deps: RegisterUserPorts) {}

  async execute(input: RegisterUserInput, ctx: RequestContext): Promise<AuthResult> {
    const { deps } = this;
    const email = normalizeEmail(input.email);
    assertPasswordPolicy(input.password, email);
    const passwordHash = await deps.hasher.hash(input.password);
    const now = deps.clock.now();

    const { user, opened } = await deps.uow.run(async (repositories) => {
      const user = await repositories.users.create({
        id: deps.ids.newId(),
        email,
        passwordHash,
        firstName: input.firstName,
        lastName: input.lastName,
        role: 'user',
        createdAt: now,
      });
      const opened = await openSession(deps, repositories, user.id, ctx, now);
      await rememberRegistrationDevice(repositories, user.id, ctx, now);
      const actor: Actor = { type: 'user', id: user.id, identifier: user.email };
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'userRegistered',
          userId: user.id,
          actor,
          at: now,
          sessionId: opened.session.id,
          newState: { email: user.email, role: user.role, kyc_status: user.kycStatus },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, {
          type: 'user.registered',
          userId: user.id,
          at: now,
          payload: { email: user.email, first_name: user.firstName, last_name: user.lastName, role: user.role },
        }),
      );
      await queueVerificationMail(deps, repositories, user, now);
      return { user, opened };
    });

    deps.metrics.registration();
    return completeAuth(deps, user, opened);
  }
}
