import type {
  AccessTokenService,
  Clock,
  DomainMetrics,
  IdGenerator,
  LoginThrottle,
  PasswordHasher,
  RefreshTokenService,
  Repositories,
  SecurityEventLog,
  SessionPrincipalStore,
  UnitOfWork,
} from '@pandora/domain';

export interface AuthSettings {
  refreshTokenTtlMs: number;
  sessionAbsoluteTtlMs: number;
  /** A rotated refresh token presented again within this window is refused without revoking. */
  refreshReuseGraceMs: number;
}

/**
 * Every port a use case may ask for. A use case never takes this whole: its constructor names the
 * ports it uses (`Pick<Ports, …>`, exported beside it as `<UseCase>Ports`), so its unit test fakes
 * exactly those and a reader sees its reach at a glance. `createPorts` (libs/wiring) builds the
 * real ones; `createUseCases` hands each use case its share.
 */
export interface Ports {
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
  /** Lifetimes of sessions and refresh tokens. */
  auth: AuthSettings;
  /** Every audit row carries its retention date, computed from this. */
  auditRetentionDays: number;
}

/** What writing an audit row or a domain event takes (records.ts). */
export type RecordPorts = Pick<Ports, 'ids' | 'auditRetentionDays'>;

/**
 * The former name of {@link Ports}, kept while branches written against it are merged.
 * @deprecated Name the ports a use case uses: `Pick<Ports, …>`.
 */
export type UseCaseDeps = Ports;
