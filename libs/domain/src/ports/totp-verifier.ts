/**
 * TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps), as authenticator apps implement it.
 * Implementations read the time from an injected clock, so tests move time instead of waiting.
 */
export interface TotpVerifier {
  /** A new random secret (160 bits), base32 as authenticator apps expect it. */
  newSecret(): string;
  /** The `otpauth://totp/…` URL an authenticator app imports (usually from a QR code). */
  keyUri(input: { secret: string; accountName: string; issuer: string }): string;
  /**
   * The time step the code belongs to, when it is the secret's code for the current step or the
   * step before or after (clock drift); null otherwise. Knowing the step is what lets the caller
   * refuse a replay: a step at or below the last one accepted is used up.
   */
  verify(secret: string, code: string): { step: number } | null;
}
