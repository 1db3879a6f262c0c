import { AppError } from '@pandora/errors';
import type { KycStatus, Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import { ChangeKycStatus, type ChangeKycStatusPorts } from '../kyc/change-kyc-status';
import { withLoginLock, type AdminUser, type AdminUserViewPorts } from './admin-user';

export type ChangeKycStatusAsAdminPorts = ChangeKycStatusPorts & AdminUserViewPorts;

/**
 * PATCH/PUT /admin/users/:id/kyc: a compliance decision by the signed-in administrator; answers the
 * admin view. Never about their own account (separation of duties, as for their own role, MFA and
 * deletion): another administrator decides.
 */
export class ChangeKycStatusAsAdmin {
  private readonly changeKycStatus: ChangeKycStatus;

  constructor(private readonly deps: ChangeKycStatusAsAdminPorts) {
    this.changeKycStatus = new ChangeKycStatus(deps);
  }

  async execute(
    admin: Principal,
    input: { userId: string; status: KycStatus; reason?: string | undefined },
    ctx: RequestContext,
  ): Promise<AdminUser> {
    if (admin.userId === input.userId) {
      throw new AppError('FORBIDDEN', 'Administrators cannot decide their own KYC status; ask another administrator.');
    }
    const user = await this.changeKycStatus.execute(
      {
        userId: input.userId,
        status: input.status,
        as: 'admin',
        actor: actorOf(admin, 'admin'),
        actorSessionId: admin.sessionId,
        ...(input.reason ? { reason: input.reason } : {}),
      },
      ctx,
    );
    return withLoginLock(this.deps, user);
  }
}
