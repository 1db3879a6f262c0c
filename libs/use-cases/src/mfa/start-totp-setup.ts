import { AppError } from '@pandora/errors';
import type { Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { auditEntry } from '../records';
import { withAccountAttempt } from '../auth/account-attempt';

export interface TotpSetup {
  /** Base32, for typing into an authenticator app; shown once, stored only sealed. */
  secret: string;
  otpauthUrl: string;
}

export type StartTotpSetupPorts = Pick<
  Ports,
  | 'uow'
  | 'repositories'
  | 'hasher'
  | 'loginThrottle'
  | 'totp'
  | 'secretBox'
  | 'clock'
  | 'ids'
  | 'metrics'
  | 'securityLog'
  | 'mfa'
  | 'auditRetentionDays'
>;

/**
 * POST /users/me/mfa/totp/setup {password}: a new TOTP secret, pending until a code from it is
 * confirmed. Calling it again replaces the pending secret. The password is checked as one attempt
 * on the login throttle (a wrong one counts like a failed login).
 */
export class StartTotpSetup {
  constructor(private readonly deps: StartTotpSetupPorts) {}

  async execute(principal: Principal, input: { password: string }, ctx: RequestContext): Promise<TotpSetup> {
    const { deps } = this;
    const credentials = await deps.repositories.users.findCredentialsById(principal.userId);
    if (!credentials) throw new AppError('USER_NOT_FOUND');
    const { user } = credentials;
    const actor = actorOf(principal, 'user');

    const account = { email: user.email, userId: user.id, mfaEnabled: user.mfaEnabled, passwordHash: credentials.passwordHash };
    return withAccountAttempt(deps, account, ctx, async (attempt) => {
      // Before the password: the answer must not depend on whether the password was right.
      if (user.mfaEnabled) throw new AppError('MFA_ALREADY_ENABLED');
      await attempt.requirePassword(input.password, async () => {
        const now = deps.clock.now();
        await deps.uow.run((repositories) =>
          repositories.audit.append(
            auditEntry(deps, ctx, {
              event: 'mfaSetupStarted',
              userId: user.id,
              actor,
              at: now,
              sessionId: principal.sessionId,
              severity: 'warning',
              status: 'failure',
              failureReason: 'invalid_password',
            }),
          ),
        );
      });

      const secret = deps.totp.newSecret();
      const now = deps.clock.now();
      await deps.uow.run(async (repositories) => {
        await repositories.mfa.savePending(user.id, deps.secretBox.seal(secret, user.id), now);
        await repositories.audit.append(
          auditEntry(deps, ctx, { event: 'mfaSetupStarted', userId: user.id, actor, at: now, sessionId: principal.sessionId }),
        );
      });
      return { secret, otpauthUrl: deps.totp.keyUri({ secret, accountName: user.email, issuer: deps.mfa.totpIssuer }) };
    });
  }
}
