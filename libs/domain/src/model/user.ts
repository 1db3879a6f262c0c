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
  /** Set by the owner's freeze link (a security notice's "this wasn't me"); logins are refused until an admin unfreezes. */
  frozenAt: Date | null;
  /** The owner's own word, shown verbatim in every mail we send them, so that a phishing mail without it stands out. */
  antiPhishingCode: string | null;
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
