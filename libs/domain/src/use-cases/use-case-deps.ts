import type { Clock } from '../ports/clock';
import type { IdGenerator } from '../ports/id-generator';
import type { LoginThrottle } from '../ports/login-throttle';
import type { PasswordHasher } from '../ports/password-hasher';
import type { Repositories, UnitOfWork } from '../ports/repositories';
import type { SessionPrincipalStore } from '../ports/session-principal-store';
import type { DomainMetrics, SecurityEventLog } from '../ports/telemetry';
import type { AccessTokenService, RefreshTokenService } from '../ports/token-services';

export interface AuthSettings {
  refreshTokenTtlMs: number;
  sessionAbsoluteTtlMs: number;
  /** A rotated refresh token presented again within this window is refused without revoking. */
  refreshReuseGraceMs: number;
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
  settings: { auth: AuthSettings; auditRetentionDays: number };
}
