/** Random one-time secrets of the MFA flows and of the links in mails; only their hashes are ever stored. */
export interface OneTimeSecrets {
  /** A recovery code in canonical form (RECOVERY_CODE_LENGTH symbols of RECOVERY_CODE_ALPHABET). */
  recoveryCode(): string;
  /** An opaque MFA login challenge token (≥ 256 bits) and the SHA-256 that is stored instead. */
  challengeToken(): { token: string; hash: string };
  /** The stored hash for a presented token, or null when it cannot be one of ours. */
  challengeTokenHash(token: string): string | null;
  /** The token of a mailed link (verification, reset, email change; 256 bits, URL-safe) and its stored SHA-256. */
  linkToken(): { token: string; hash: string };
  /** The stored hash for a presented link token, or null when it cannot be one of ours. */
  linkTokenHash(token: string): string | null;
}
