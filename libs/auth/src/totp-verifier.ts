import type { Clock, TotpVerifier } from '@pandora/domain';
import { Secret, TOTP } from 'otpauth';

/** What every authenticator app does by default (RFC 6238): anything else confuses some of them. */
const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD_SECONDS = 30;
/** One step either side of now: a phone clock a little off, or a code typed as it rolled over. */
const WINDOW = 1;
const SECRET_BYTES = 20;

/**
 * TOTP with the `otpauth` library (a maintained implementation, checked against the RFC 6238 vectors
 * in its test) and an injected clock: tests move the clock across steps instead of waiting.
 */
export class OtpAuthTotpVerifier implements TotpVerifier {
  constructor(private readonly clock: Clock) {}

  newSecret(): string {
    return new Secret({ size: SECRET_BYTES }).base32;
  }

  keyUri(input: { secret: string; accountName: string; issuer: string }): string {
    return this.totp(input.secret, { issuer: input.issuer, label: input.accountName }).toString();
  }

  verify(secret: string, code: string): { step: number } | null {
    const timestamp = this.clock.now().getTime();
    const delta = this.totp(secret).validate({ token: code, timestamp, window: WINDOW });
    if (delta === null) return null;
    return { step: TOTP.counter({ period: PERIOD_SECONDS, timestamp }) + delta };
  }

  private totp(secret: string, labels: { issuer?: string; label?: string } = {}): TOTP {
    return new TOTP({ ...labels, secret: Secret.fromBase32(secret), algorithm: ALGORITHM, digits: DIGITS, period: PERIOD_SECONDS });
  }
}
