import type { KycStatus } from './kyc-status';
import type { Role } from './role';

/** A user account. The password hash is deliberately not part of it (see UserCredentials). */
export interface User {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  kycStatus: KycStatus;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /** TOTP is on: logins and sensitive changes need a second factor (ARCHITECTURE.md, "Multi-factor authentication"). */
  mfaEnabled: boolean;
  /** Last password change, email change or MFA change (null: never), for services that hold withdrawals after one. */
  securityChangedAt: Date | null;
  /** When the owner last proved the current address (a verification, reset or email-change link); null: never. */
  emailVerifiedAt: Date | null;
}

/** Only the login and password-change paths ever see the hash. */
export interface UserCredentials {
  user: User;
  passwordHash: string;
}

export function isActive(user: Pick<User, 'deletedAt'>): boolean {
  return user.deletedAt === null;
}
