import type { User } from '@pandora/domain';
import type { User as UserMessage } from '@pandora/grpc-contract';

/** A domain user as the `pandora.user.v1.User` message: no credentials, times as Timestamps. */
export function toUserMessage(user: User): UserMessage {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    kycStatus: user.kycStatus,
    role: user.role,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    deletedAt: user.deletedAt ?? undefined,
    emailVerified: user.emailVerifiedAt !== null,
    mfaEnabled: user.mfaEnabled,
  };
}
