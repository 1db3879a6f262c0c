import { AppError } from '@pandora/errors';
import type { Principal } from '@pandora/domain';
import type { Ports } from '../ports';

export interface MfaStatus {
  totpEnabled: boolean;
  /** Unused recovery codes (0 while TOTP is off). */
  recoveryCodesRemaining: number;
}

export type GetMfaStatusPorts = Pick<Ports, 'repositories'>;

/** GET /users/me/mfa. */
export class GetMfaStatus {
  constructor(private readonly deps: GetMfaStatusPorts) {}

  async execute(principal: Principal): Promise<MfaStatus> {
    const user = await this.deps.repositories.users.findById(principal.userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    if (!user.mfaEnabled) return { totpEnabled: false, recoveryCodesRemaining: 0 };
    return { totpEnabled: true, recoveryCodesRemaining: await this.deps.repositories.recoveryCodes.countUnused(user.id) };
  }
}
