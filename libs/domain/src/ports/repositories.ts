import type { AuditEntry } from '../audit/audit-entry';
import type { DomainEvent } from '../events/domain-event';
import type { AuthenticationLevel, AuthenticationMethod } from '../model/authentication';
import type { KycStatus } from '../model/kyc-status';
import type { Role } from '../model/role';
import type { RefreshTokenRecord, Session } from '../model/session';
import type { User, UserCredentials } from '../model/user';
import type { LoginDeviceRepository } from './login-devices';
import type { MailQueue } from './mail-queue';
import type { OneTimeTokenRepository } from './one-time-tokens';
import type { KeyedDigest, SealedSecret } from './secret-box';

export interface NewUser {
  id: string;
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  role: Role;
  createdAt: Date;
}

export interface UserChanges {
  firstName?: string;
  lastName?: string;
  role?: Role;
  kycStatus?: KycStatus;
  passwordHash?: string;
  /** Written with user_mfa in one transaction: enabling, disabling, an admin reset. */
  mfaEnabled?: boolean;
  securityChangedAt?: Date;
  /** Set by the freeze switch, cleared (null) by an administrator's unfreeze. */
  frozenAt?: Date | null;
  /** null removes it. */
  antiPhishingCode?: string | null;
  /** A confirmed email change (USER_ALREADY_EXISTS when an active account holds the address). */
  email?: string;
  emailVerifiedAt?: Date | null;
}

/** Admin search: every filter optional; `query` matches email/first/last name, literally. */
export interface UserSearch {
  query?: string;
  role?: Role;
  kycStatus?: KycStatus;
  includeDeleted: boolean;
  /** By creation time: `-created_at` (the default) newest first, `created_at` oldest first. */
  sort?: 'created_at' | '-created_at';
  limit: number;
  offset: number;
}

export interface UserStatistics {
  /** Accounts that are not deleted. */
  total: number;
  byKycStatus: Record<KycStatus, number>;
}

export interface UserRepository {
  /** Active users only, unless includeDeleted. */
  findById(id: string, options?: { includeDeleted?: boolean }): Promise<User | null>;
  /** The active account with this (normalised) email. */
  findByEmail(email: string): Promise<User | null>;
  findCredentialsByEmail(email: string): Promise<UserCredentials | null>;
  findCredentialsById(id: string): Promise<UserCredentials | null>;
  /** Reads an active user and locks the row until the transaction ends (SELECT … FOR UPDATE). */
  lockById(id: string): Promise<User | null>;
  /** Throws USER_ALREADY_EXISTS when an active account has the email. */
  create(user: NewUser): Promise<User>;
  update(id: string, changes: UserChanges, at: Date): Promise<User>;
  softDelete(id: string, at: Date): Promise<User>;
  /** Newest first unless `sort` says otherwise; `total` counts every match regardless of limit/offset. */
  search(search: UserSearch): Promise<{ users: User[]; total: number }>;
  statistics(): Promise<UserStatistics>;
}

export interface NewSession {
  id: string;
  userId: string;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  /** How the login was proved; a password login (`["pwd"]`, 1, createdAt) when not given. */
  amr?: AuthenticationMethod[];
  aal?: AuthenticationLevel;
  authTime?: Date;
}

export interface NewRefreshToken {
  id: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionRepository {
  create(session: NewSession, refreshToken: NewRefreshToken): Promise<Session>;
  findById(id: string): Promise<Session | null>;
  /** Sessions neither revoked nor expired, newest first. */
  listActive(userId: string, now: Date): Promise<Session[]>;
  /** The refresh token with this hash and its session, locked until the transaction ends. */
  findRefreshTokenForUpdate(tokenHash: string): Promise<{ token: RefreshTokenRecord; session: Session } | null>;
  /** Marks `currentTokenId` used, stores its successor and moves the session's expiry. */
  rotateRefreshToken(input: {
    currentTokenId: string;
    sessionId: string;
    next: NewRefreshToken;
    at: Date;
    sessionExpiresAt: Date;
  }): Promise<Session>;
  /** Revokes the given sessions that are still active; returns the ids it revoked. */
  revoke(sessionIds: string[], reason: string, at: Date): Promise<string[]>;
  /** Revokes every active session of the user (optionally sparing one); returns the ids. */
  revokeAllForUser(userId: string, reason: string, at: Date, options?: { exceptSessionId?: string }): Promise<string[]>;
  countActive(now: Date): Promise<number>;
}

export interface AuditLogWriter {
  append(entry: AuditEntry): Promise<void>;
}

export interface AuditLogQuery {
  userId?: string;
  eventType?: string;
  from?: Date;
  to?: Date;
  limit: number;
  /** Keyset position: entries strictly older than this one (newest-first order). */
  before?: { createdAt: Date; id: string };
}

export interface AuditLogReader {
  /** Newest first (created_at, then id, descending). */
  query(query: AuditLogQuery): Promise<AuditEntry[]>;
}

export interface OutboxWriter {
  append(event: DomainEvent): Promise<void>;
}

/** A user's TOTP factor as stored: secrets sealed (SecretBox), never in clear. */
export interface UserMfaRecord {
  userId: string;
  /** The confirmed secret; null while only a setup is pending. */
  secret: SealedSecret | null;
  pending: SealedSecret | null;
  pendingCreatedAt: Date | null;
  /** The last TOTP time step accepted for this user (the replay guard). */
  lastUsedStep: number | null;
  enabledAt: Date | null;
}

export interface UserMfaRepository {
  find(userId: string): Promise<UserMfaRecord | null>;
  /** Reads the row and locks it until the transaction ends. */
  findForUpdate(userId: string): Promise<UserMfaRecord | null>;
  /** Stores a setup to be confirmed, creating the row or replacing an earlier pending secret. */
  savePending(userId: string, pending: SealedSecret, at: Date): Promise<void>;
  /** The pending secret (given, possibly re-sealed) becomes the secret; the pending one is cleared. */
  confirm(userId: string, secret: SealedSecret, at: Date): Promise<void>;
  /**
   * The replay guard, one atomic compare-and-set: records `step` as the last accepted step only if it
   * is later than the one stored. False means the step (or a later one) was accepted before: a replay.
   * Concurrent calls with one step: exactly one gets true, across replicas.
   */
  advanceStep(userId: string, step: number): Promise<boolean>;
  /** Lazy key rotation: the confirmed secret, re-sealed under the current key. */
  resealSecret(userId: string, secret: SealedSecret, at: Date): Promise<void>;
  /** Removes the factor (secret, pending secret and replay guard). True when there was one. */
  delete(userId: string): Promise<boolean>;
}

export interface NewRecoveryCode {
  id: string;
  digest: KeyedDigest;
}

export interface RecoveryCodeRepository {
  /** The user's recovery codes become exactly these (a new generation); the old set stops working. */
  replaceAll(userId: string, codes: NewRecoveryCode[], at: Date): Promise<void>;
  /**
   * Marks one unused code whose hash is among `hashes` as used, in one conditional UPDATE: of two
   * concurrent uses of one code exactly one gets true.
   */
  consume(userId: string, hashes: string[], at: Date): Promise<boolean>;
  countUnused(userId: string): Promise<number>;
  deleteAll(userId: string): Promise<void>;
}

/** The second step of an MFA login (ARCHITECTURE.md, "Multi-factor authentication"). */
export interface MfaChallenge {
  id: string;
  userId: string;
  /** The role the login required (admin login) or null (public login); verified only on the same door. */
  requiredRole: Role | null;
  failedAttempts: number;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

export interface MfaChallengeRepository {
  create(challenge: Omit<MfaChallenge, 'failedAttempts' | 'consumedAt'> & { tokenHash: string }): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<MfaChallenge | null>;
  /** The challenge, locked until the transaction ends: one verification of a challenge at a time. */
  lockByTokenHash(tokenHash: string): Promise<MfaChallenge | null>;
  /** Counts a wrong code; returns the failures so far. */
  recordFailure(id: string): Promise<number>;
  consume(id: string, at: Date): Promise<void>;
  /** Housekeeping when a user logs in again: their expired and used challenges go. */
  deleteSpent(userId: string, now: Date): Promise<number>;
}

/** Everything a use case may touch inside one database transaction. */
export interface Repositories {
  users: UserRepository;
  sessions: SessionRepository;
  mfa: UserMfaRepository;
  recoveryCodes: RecoveryCodeRepository;
  mfaChallenges: MfaChallengeRepository;
  audit: AuditLogWriter;
  auditTrail: AuditLogReader;
  outbox: OutboxWriter;
  /** Mail queued with the change that needs it (docs/mail.md). */
  mail: MailQueue;
  oneTimeTokens: OneTimeTokenRepository;
  /** Where each account signed in from: the new-device notice. */
  loginDevices: LoginDeviceRepository;
}

export interface UnitOfWork {
  /**
   * Runs `work` in one transaction: its state changes, audit rows and outbox events commit together
   * or not at all (any throw rolls everything back).
   */
  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}
