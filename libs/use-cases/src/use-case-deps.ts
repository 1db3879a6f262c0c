import type { Clock } from '@pandora/domain';
import type { IdGenerator } from '@pandora/domain';
import type { LoginThrottle } from '@pandora/domain';
import type { PasswordHasher } from '@pandora/domain';
import type { Repositories, UnitOfWork } from '@pandora/domain';
import type { SessionPrincipalStore } from '@pandora/domain';
import type { DomainMetrics, SecurityEventLog } from '@pandora/domain';
import type { AccessTokenService, RefreshTokenService } from '@pandora/domain';
import type { OneTimeSecrets, SecretBox, TotpVerifier } from '@pandora/domain';

export interface AuthSettings {
  refreshTokenTtlMs: number;
  sessionAbsoluteTtlMs: number;
  /** A rotated refresh token presented again within this window is refused without revoking. */
  refreshReuseGraceMs: number;
}

export interface MfaSettings {
  /** How long the second step of an MFA login may wait (MFA_CHALLENGE_TTL). */
  challengeTtlMs: number;
  /** The issuer authenticator apps show beside the account (the otpauth URL's `issuer`). */
  totpIssuer: string;
}

/** Everything the use cases need, as ports. The composition root of each app provides them. */
export interface UseCaseDeps {
  uow: UnitOfWork;
  /** Repositories outside any transaction, for reads. */
  repositories: Repositories;
  hasher: PasswordHasher;
  accessTokens: AccessTokenService;
  refreshTokens: RefreshTokenService;
  principals: SessionPrincipalStore;
  loginThrottle: LoginThrottle;
  clock: Clock;
  ids: IdGenerator;
  metrics: DomainMetrics;
  securityLog: SecurityEventLog;
  totp: TotpVerifier;
  secretBox: SecretBox;
  oneTimeSecrets: OneTimeSecrets;
  settings: { auth: AuthSettings; auditRetentionDays: number; mfa: MfaSettings };
}
