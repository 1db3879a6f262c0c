import { AppError } from '@pandora/errors';
import type { Actor } from '../../model/actor';
import { normalizeEmail } from '../../model/email';
import type { Role } from '../../model/role';
import { auditEntry, domainEvent } from '../records';
import type { RequestContext } from '../request-context';
import type { UseCaseDeps } from '../use-case-deps';
import { completeAuth, openSession, type AuthResult } from './auth-result';

export interface LogInInput {
  email: string;
  password: string;
}

type FailureReason = 'unknown_email' | 'invalid_password' | 'insufficient_role';

/**
 * Password login (SPEC §3 POST /auth/login, §6 admin login with `requiredRole: 'admin'`).
 * Every failure, whatever its reason, is the same 401 INVALID_CREDENTIALS after the same Argon2
 * work: a caller cannot tell an unknown email from a wrong password or a non-admin account.
 */
export class LogIn {
  constructor(
    private readonly deps: UseCaseDeps,
    private readonly options: { requiredRole?: Role } = {},
  ) {}

  async execute(input: LogInInput, ctx: RequestContext): Promise<AuthResult> {
    const { deps } = this;
    const email = normalizeEmail(input.email);
    const credentials = await deps.repositories.users.findCredentialsByEmail(email);
    if (!credentials) {
      await deps.hasher.verifyDummy(input.password);
      return this.fail(null, email, 'unknown_email', ctx);
    }
    const { user, passwordHash } = credentials;
    if (!(await deps.hasher.verify(passwordHash, input.password))) {
      return this.fail(user.id, email, 'invalid_password', ctx);
    }
    if (this.options.requiredRole && user.role !== this.options.requiredRole) {
      return this.fail(user.id, email, 'insufficient_role', ctx);
    }

    // Parameters changed since this hash was made: upgrade it now that we know the password.
    const upgradedHash = deps.hasher.needsRehash(passwordHash) ? await deps.hasher.hash(input.password) : null;
    const now = deps.clock.now();
    const opened = await deps.uow.run(async (repositories) => {
      // A rehash is not a change the user made: updated_at keeps its value.
      if (upgradedHash) await repositories.users.update(user.id, { passwordHash: upgradedHash }, user.updatedAt);
      const opened = await openSession(deps, repositories, user.id, ctx, now);
      const actor: Actor = { type: user.role === 'admin' ? 'admin' : 'user', id: user.id, identifier: user.email };
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'loginSucceeded',
          userId: user.id,
          actor,
          at: now,
          sessionId: opened.session.id,
          metadata: { required_role: this.options.requiredRole ?? null, password_rehashed: upgradedHash !== null },
        }),
      );
      await repositories.outbox.append(
        domainEvent(deps, ctx, actor, { type: 'user.logged_in', userId: user.id, at: now, payload: { email: user.email } }),
      );
      return opened;
    });

    deps.metrics.login('success');
    return completeAuth(deps, user, opened);
  }

  private async fail(userId: string | null, email: string, reason: FailureReason, ctx: RequestContext): Promise<never> {
    const { deps } = this;
    const now = deps.clock.now();
    await deps.uow.run((repositories) =>
      repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'loginFailed',
          userId,
          actor: { type: userId ? 'user' : 'anonymous', id: userId, identifier: email },
          at: now,
          severity: 'warning',
          status: 'failure',
          failureReason: reason,
          metadata: { required_role: this.options.requiredRole ?? null },
        }),
      ),
    );
    deps.metrics.login(reason === 'insufficient_role' ? 'forbidden' : 'invalid_credentials');
    throw new AppError('INVALID_CREDENTIALS');
  }
}
