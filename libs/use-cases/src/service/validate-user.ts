import { isFrozen, type KycStatus } from '@pandora/domain';
import type { Ports } from '../ports';

export interface UserValidity {
  /** The user exists and is not deleted. */
  isValid: boolean;
  /** The account may act now: valid and not frozen by its owner (docs/accounts.md, the freeze switch). */
  isActive: boolean;
  /** Only for a valid user: a deleted account reveals nothing, exactly like an unknown id. */
  kycStatus: KycStatus | null;
  /** Only for a valid user (false otherwise): the owner proved the current address. */
  emailVerified: boolean;
  /** Only for a valid user (false otherwise): TOTP is on. */
  mfaEnabled: boolean;
  /** Only for a valid user: the last password, email or MFA change (null: none yet). */
  securityChangedAt: Date | null;
}

export type ValidateUserPorts = Pick<Ports, 'userReads'>;

const NOT_VALID: UserValidity = {
  isValid: false,
  isActive: false,
  kycStatus: null,
  emailVerified: false,
  mfaEnabled: false,
  securityChangedAt: null,
};

/**
 * Whether a user id may act, for other services (gRPC ValidateUser). Unlike the lookups it never
 * fails with USER_NOT_FOUND: an unknown or deleted user is an answer ("not valid"), not an error.
 */
export class ValidateUser {
  constructor(private readonly deps: ValidateUserPorts) {}

  async execute(userId: string): Promise<UserValidity> {
    const user = await this.deps.userReads.findById(userId);
    if (!user) return NOT_VALID;
    return {
      isValid: true,
      isActive: !isFrozen(user),
      kycStatus: user.kycStatus,
      emailVerified: user.emailVerifiedAt !== null,
      mfaEnabled: user.mfaEnabled,
      securityChangedAt: user.securityChangedAt,
    };
  }
}
