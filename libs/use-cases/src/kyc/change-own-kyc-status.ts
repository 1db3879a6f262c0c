import type { KycStatus, Principal, RequestContext, User } from '@pandora/domain';
import { actorOf } from '../actors';
import { ChangeKycStatus, type ChangeKycStatusPorts } from './change-kyc-status';

/** PATCH /users/me/kyc: the signed-in user, under the user's rules (resubmitting a rejected application). */
export class ChangeOwnKycStatus {
  private readonly changeKycStatus: ChangeKycStatus;

  constructor(deps: ChangeKycStatusPorts) {
    this.changeKycStatus = new ChangeKycStatus(deps);
  }

  execute(principal: Principal, input: { status: KycStatus }, ctx: RequestContext): Promise<User> {
    return this.changeKycStatus.execute(
      {
        userId: principal.userId,
        status: input.status,
        as: 'user',
        actor: actorOf(principal, 'user'),
        actorSessionId: principal.sessionId,
      },
      ctx,
    );
  }
}
