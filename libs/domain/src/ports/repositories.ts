import type { AuditEntry } from '../audit/audit-entry';
import type { DomainEvent } from '../events/domain-event';
import type { KycStatus } from '../model/kyc-status';
import type { Role } from '../model/role';
import type { RefreshTokenRecord, Session, SessionPrincipal } from '../model/session';
import type { User, UserCredentials } from '../model/user';

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
  loadPrincipal(sessionId: string): Promise<SessionPrincipal | null>;
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

/** Everything a use case may touch inside one database transaction. */
export interface Repositories {
  users: UserRepository;
  sessions: SessionRepository;
  audit: AuditLogWriter;
  auditTrail: AuditLogReader;
  outbox: OutboxWriter;
}

export interface UnitOfWork {
  /**
   * Runs `work` in one transaction: its state changes, audit rows and outbox events commit together
   * or not at all (any throw rolls everything back).
   */
  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}
