import type {
  AccessTokenService,
  Clock,
  DomainMetrics,
  IdGenerator,
  LoginThrottle,
  OneTimeSecrets,
  PasswordHasher,
  RefreshTokenService,
  Repositories,
  SecretBox,
  SecurityEventLog,
  SessionPrincipalStore,
  TotpVerifier,
  UnitOfWork,
  UserReads,
} from '@pandora/domain';

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

/** The mail flows (docs/mail.md): lifetimes of the linked tokens and the per-account mail cap. */
export interface MailFlowSettings {
  emailVerificationTtlMs: number;
  passwordResetTtlMs: number;
  emailChangeTtlMs: number;
  /**
   * Mails one account may cause per window, per kind: verification resends (beyond it 429), reset
   * mails to one address (beyond it nothing is sent, silently) and email-change requests (429).
   * null: no cap (RATE_LIMIT_ENABLED=false).
   */
  mailCap: { limit: number; windowMs: number } | null;
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
  /** The user reads of every authenticated request (GET /users/me, GetUser), from the read cache. */
  userReads: UserReads;
  hasher: PasswordHasher;
  accessTokens: AccessTokenService;
  refreshTokens: RefreshTokenService;
  principals: SessionPrincipalStore;
  loginThrottle: LoginThrottle;
  clock: Clock;
  ids: IdGenerator;
  metrics: DomainMetrics;
  securityLog: SecurityEventLog;
  /** Checks TOTP codes (±1 step) and makes new secrets and otpauth URLs. */
  totp: TotpVerifier;
  /** Seals TOTP secrets at rest and keys the recovery-code digests (the MFA_ENCRYPTION_KEYS ring). */
  secretBox: SecretBox;
  /** MFA challenge tokens and recovery codes. */
  oneTimeSecrets: OneTimeSecrets;
  /** Lifetimes of sessions and refresh tokens. */
  auth: AuthSettings;
  /** The MFA challenge's lifetime and the TOTP issuer name. */
  mfa: MfaSettings;
  /** Every audit row carries its retention date, computed from this. */
  auditRetentionDays: number;
  /** Lifetimes of mailed links and the per-account mail cap. */
  mailFlows: MailFlowSettings;
}

/** What writing an audit row or a domain event takes (records.ts). */
export type RecordPorts = Pick<Ports, 'ids' | 'auditRetentionDays'>;

/**
 * The former name of {@link Ports}, kept while branches written against it are merged.
 * @deprecated Name the ports a use case uses: `Pick<Ports, …>`.
 */
export type UseCaseDeps = Ports;
