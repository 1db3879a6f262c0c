import { AppError } from '@pandora/errors';
import { ANTI_PHISHING_CODE_PATTERN, type Principal, type RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import type { Ports } from '../ports';
import { auditEntry } from '../records';

export type SetAntiPhishingCodePorts = Pick<Ports, 'uow' | 'clock' | 'ids' | 'auditRetentionDays'>;

/**
 * PUT /users/me/anti-phishing-code {code} and DELETE (code null): the word every later mail to the
 * user shows verbatim (the mail queue copies it into each message). Only letters and digits, 4–20 of
 * them: it is user input that lands in HTML mail. The audit row says that it changed, never what it
 * is — whoever reads the trail should not be able to forge a convincing mail.
 */
export class SetAntiPhishingCode {
  constructor(private readonly deps: SetAntiPhishingCodePorts) {}

  async execute(principal: Principal, input: { code: string | null }, ctx: RequestContext): Promise<void> {
    const { deps } = this;
    if (input.code !== null && !ANTI_PHISHING_CODE_PATTERN.test(input.code)) {
      throw AppError.invalidInput([{ field: 'code', message: 'must be 4 to 20 letters (A-Z, a-z) or digits' }]);
    }
    await deps.uow.run(async (repositories) => {
      const now = deps.clock.now();
      const user = await repositories.users.lockById(principal.userId);
      if (!user) throw new AppError('USER_NOT_FOUND');
      if (user.antiPhishingCode === input.code) return;
      await repositories.users.update(user.id, { antiPhishingCode: input.code }, now);
      await repositories.audit.append(
        auditEntry(deps, ctx, {
          event: 'antiPhishingCodeChanged',
          userId: user.id,
          actor: actorOf(principal, 'user'),
          at: now,
          sessionId: principal.sessionId,
          metadata: { set: input.code !== null },
        }),
      );
    });
  }
}
