import {
  isSessionActive,
  isSupersededByNewer,
  ONE_TIME_TOKEN_KINDS_REVOKED_BY_DEFAULT,
  MFA_CHALLENGE_MAX_FAILURES,
  type AuditEntry,
  type AuditLogQuery,
  type DomainEvent,
  type KycStatus,
  type LoginDevice,
  type MfaChallenge,
  type NewOneTimeToken,
  type NewRefreshToken,
  type OneTimeToken,
  type QueuedMail,
  type NewSession,
  type NewUser,
  type RefreshTokenRecord,
  type Repositories,
  type Session,
  type UnitOfWork,
  type User,
  type UserChanges,
  type UserMfaRecord,
  type UserSearch,
} from '@pandora/domain';
import { AppError } from '@pandora/errors';

interface StoredUser {
  user: User;
  passwordHash: string;
}

interface StoredRefreshToken extends RefreshTokenRecord {
  tokenHash: string;
  createdAt: Date;
  replacedById: string | null;
}

export interface StoredRecoveryCode {
  id: string;
  userId: string;
  hash: string;
  keyId: string;
  usedAt: Date | null;
}

export interface StoredMfaChallenge extends MfaChallenge {
  tokenHash: string;
}

export interface StoredOneTimeToken extends OneTimeToken {
  tokenHash: string;
}

export interface StoredLoginDevice extends LoginDevice {
  userId: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

interface State {
  users: Map<string, StoredUser>;
  sessions: Map<string, Session>;
  refreshTokens: Map<string, StoredRefreshToken>;
  mfa: Map<string, UserMfaRecord>;
  recoveryCodes: StoredRecoveryCode[];
  mfaChallenges: Map<string, StoredMfaChallenge>;
  audit: AuditEntry[];
  outbox: DomainEvent[];
  mail: QueuedMail[];
  oneTimeTokens: StoredOneTimeToken[];
  loginDevices: StoredLoginDevice[];
}

/**
 * The database ports in memory, for unit tests of the use cases: the same contract as the
 * PostgreSQL adapters (active vs deleted users, session activity, newest-first orders, revocation
 * returning what it revoked), and real transactions in the sense that matters here — whatever
 * `uow.run` wrote is rolled back when its work throws. Row locks are not modelled: unit tests run
 * one use case at a time; concurrency is proven against PostgreSQL in the apps' tests.
 */
export class InMemoryDatabase implements UnitOfWork {
  private state: State = {
    users: new Map(),
    sessions: new Map(),
    refreshTokens: new Map(),
    mfa: new Map(),
    recoveryCodes: [],
    mfaChallenges: new Map(),
    audit: [],
    outbox: [],
    mail: [],
    oneTimeTokens: [],
    loginDevices: [],
  };
  private outboxFailure: Error | null = null;

  /** Repositories outside any transaction (the `repositories` port). */
  readonly repositories: Repositories = this.repositoriesOver(() => this.state);

  /** Committed audit rows, oldest first. */
  get audit(): readonly AuditEntry[] {
    return this.state.audit;
  }

  /** Committed outbox events, in insertion order. */
  get outbox(): readonly DomainEvent[] {
    return this.state.outbox;
  }

  /** Every stored user, deleted ones included. */
  get users(): readonly User[] {
    return [...this.state.users.values()].map((stored) => stored.user);
  }

  passwordHashOf(userId: string): string | undefined {
    return this.state.users.get(userId)?.passwordHash;
  }

  session(sessionId: string): Session | undefined {
    return this.state.sessions.get(sessionId);
  }

  /** Every stored session, revoked ones included. */
  get sessions(): readonly Session[] {
    return [...this.state.sessions.values()];
  }

  /** The user's stored TOTP factor (sealed secrets, replay guard), if any. */
  mfaOf(userId: string): UserMfaRecord | undefined {
    return this.state.mfa.get(userId);
  }

  /** Every stored recovery code (keyed digests), used ones included. */
  get recoveryCodes(): readonly StoredRecoveryCode[] {
    return this.state.recoveryCodes;
  }

  /** Committed queued mail, in insertion order. */
  get mail(): readonly QueuedMail[] {
    return this.state.mail;
  }

  /** Every device an account signed in from. */
  get loginDevices(): readonly StoredLoginDevice[] {
    return this.state.loginDevices;
  }

  /** Every stored one-time token, used ones included. */
  get oneTimeTokens(): readonly StoredOneTimeToken[] {
    return this.state.oneTimeTokens;
  }

  /** Every stored MFA login challenge. */
  get mfaChallenges(): readonly StoredMfaChallenge[] {
    return [...this.state.mfaChallenges.values()];
  }

  /** From now on, appending to the outbox throws `error` (the transaction then rolls back). */
  failOutboxWith(error: Error | null): void {
    this.outboxFailure = error;
  }

  async run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    const snapshot = structuredClone(this.state);
    try {
      return await work(this.repositoriesOver(() => this.state, { inTransaction: true }));
    } catch (error) {
      this.state = snapshot;
      throw error;
    }
  }

  private repositoriesOver(state: () => State, options: { inTransaction?: boolean } = {}): Repositories {
    const outboxFailure = () => this.outboxFailure;
    const activeUser = (id: string) => {
      const stored = state().users.get(id);
      return stored && stored.user.deletedAt === null ? stored : null;
    };
    const activeByEmail = (email: string) =>
      [...state().users.values()].find((stored) => stored.user.email === email && stored.user.deletedAt === null) ?? null;
    const change = (id: string, changes: Partial<User>, passwordHash?: string): User => {
      const stored = state().users.get(id);
      if (!stored) throw new Error(`no user ${id}`);
      // As the partial unique index does: an address belongs to one active account.
      if (changes.email !== undefined && changes.email !== stored.user.email && activeByEmail(changes.email)) {
        throw new AppError('USER_ALREADY_EXISTS');
      }
      stored.user = { ...stored.user, ...changes };
      if (passwordHash !== undefined) stored.passwordHash = passwordHash;
      return { ...stored.user };
    };
    const revokeWhere = (match: (session: Session) => boolean, reason: string, at: Date): string[] => {
      const revoked: string[] = [];
      for (const session of state().sessions.values()) {
        if (match(session) && isSessionActive(session, at)) {
          session.revokedAt = at;
          session.revokedReason = reason;
          revoked.push(session.id);
        }
      }
      return revoked.sort();
    };
    const copy = <T extends object>(value: T): T => ({ ...value });

    return {
      users: {
        async findById(id, opts = {}) {
          const stored = state().users.get(id);
          if (!stored || (stored.user.deletedAt !== null && !opts.includeDeleted)) return null;
          return copy(stored.user);
        },
        async findByEmail(email) {
          const stored = activeByEmail(email);
          return stored ? copy(stored.user) : null;
        },
        async findCredentialsByEmail(email) {
          const stored = activeByEmail(email);
          return stored ? { user: copy(stored.user), passwordHash: stored.passwordHash } : null;
        },
        async findCredentialsById(id) {
          const stored = activeUser(id);
          return stored ? { user: copy(stored.user), passwordHash: stored.passwordHash } : null;
        },
        async lockById(id) {
          const stored = activeUser(id);
          return stored ? copy(stored.user) : null;
        },
        async create(input: NewUser) {
          if (activeByEmail(input.email)) throw new AppError('USER_ALREADY_EXISTS');
          const user: User = {
            id: input.id,
            email: input.email,
            firstName: input.firstName,
            lastName: input.lastName,
            role: input.role,
            kycStatus: 'pending',
            createdAt: input.createdAt,
            updatedAt: input.createdAt,
            deletedAt: null,
            mfaEnabled: false,
            securityChangedAt: null,
            frozenAt: null,
            antiPhishingCode: null,
            emailVerifiedAt: null,
          };
          state().users.set(user.id, { user, passwordHash: input.passwordHash });
          return copy(user);
        },
        async update(id, changes: UserChanges, at) {
          const { passwordHash, ...rest } = changes;
          return change(id, { ...rest, updatedAt: at }, passwordHash);
        },
        async softDelete(id, at) {
          return change(id, { deletedAt: at, updatedAt: at });
        },
        async search(search: UserSearch) {
          const text = search.query?.toLowerCase();
          const matches = [...state().users.values()]
            .map((stored) => stored.user)
            .filter((user) => search.includeDeleted || user.deletedAt === null)
            .filter((user) => !search.role || user.role === search.role)
            .filter((user) => !search.kycStatus || user.kycStatus === search.kycStatus)
            .filter((user) => !text || [user.email, user.firstName, user.lastName].some((field) => field.toLowerCase().includes(text)))
            .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id));
          if (search.sort === 'created_at') matches.reverse();
          return { users: matches.slice(search.offset, search.offset + search.limit).map(copy), total: matches.length };
        },
        async statistics() {
          const byKycStatus: Record<KycStatus, number> = { pending: 0, verified: 0, rejected: 0 };
          let total = 0;
          for (const { user } of state().users.values()) {
            if (user.deletedAt !== null) continue;
            total += 1;
            byKycStatus[user.kycStatus] += 1;
          }
          return { total, byKycStatus };
        },
      },
      sessions: {
        async create(input: NewSession, token: NewRefreshToken) {
          const session: Session = {
            ...input,
            lastUsedAt: input.createdAt,
            revokedAt: null,
            revokedReason: null,
            amr: input.amr ?? ['pwd'],
            aal: input.aal ?? 1,
            authTime: input.authTime ?? input.createdAt,
          };
          state().sessions.set(session.id, session);
          state().refreshTokens.set(token.id, { ...token, sessionId: session.id, rotatedAt: null, replacedById: null });
          return copy(session);
        },
        async findById(id) {
          const session = state().sessions.get(id);
          return session ? copy(session) : null;
        },
        async listActive(userId, now) {
          return [...state().sessions.values()]
            .filter((session) => session.userId === userId && isSessionActive(session, now))
            .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id))
            .map(copy);
        },
        async findRefreshTokenForUpdate(tokenHash) {
          const token = [...state().refreshTokens.values()].find((candidate) => candidate.tokenHash === tokenHash);
          const session = token && state().sessions.get(token.sessionId);
          if (!token || !session) return null;
          return {
            token: { id: token.id, sessionId: token.sessionId, expiresAt: token.expiresAt, rotatedAt: token.rotatedAt },
            session: copy(session),
          };
        },
        async rotateRefreshToken(input) {
          const current = state().refreshTokens.get(input.currentTokenId);
          const session = state().sessions.get(input.sessionId);
          if (!current || !session) throw new Error('no such token or session');
          state().refreshTokens.set(input.next.id, { ...input.next, sessionId: session.id, rotatedAt: null, replacedById: null });
          current.rotatedAt = input.at;
          current.replacedById = input.next.id;
          session.lastUsedAt = input.at;
          session.expiresAt = input.sessionExpiresAt;
          return copy(session);
        },
        async revoke(sessionIds, reason, at) {
          return revokeWhere((session) => sessionIds.includes(session.id), reason, at);
        },
        async revokeAllForUser(userId, reason, at, opts = {}) {
          return revokeWhere((session) => session.userId === userId && session.id !== opts.exceptSessionId, reason, at);
        },
        async countActive(now) {
          return [...state().sessions.values()].filter((session) => isSessionActive(session, now)).length;
        },
      },
      mfa: {
        async find(userId) {
          const record = state().mfa.get(userId);
          return record ? structuredClone(record) : null;
        },
        async findForUpdate(userId) {
          const record = state().mfa.get(userId);
          return record ? structuredClone(record) : null;
        },
        async savePending(userId, pending, at) {
          const existing = state().mfa.get(userId);
          state().mfa.set(userId, {
            userId,
            secret: existing?.secret ?? null,
            lastUsedStep: existing?.lastUsedStep ?? null,
            enabledAt: existing?.enabledAt ?? null,
            pending,
            pendingCreatedAt: at,
          });
        },
        async confirm(userId, secret, at) {
          const record = state().mfa.get(userId);
          if (!record) throw new Error(`no MFA row for ${userId}`);
          Object.assign(record, { secret, enabledAt: at, pending: null, pendingCreatedAt: null });
        },
        async advanceStep(userId, step) {
          const record = state().mfa.get(userId);
          if (!record || (record.lastUsedStep !== null && record.lastUsedStep >= step)) return false;
          record.lastUsedStep = step;
          return true;
        },
        async resealSecret(userId, secret) {
          const record = state().mfa.get(userId);
          if (record) record.secret = secret;
        },
        async delete(userId) {
          return state().mfa.delete(userId);
        },
      },
      recoveryCodes: {
        async replaceAll(userId, codes) {
          state().recoveryCodes = [
            ...state().recoveryCodes.filter((code) => code.userId !== userId),
            ...codes.map((code) => ({ id: code.id, userId, hash: code.digest.hash, keyId: code.digest.keyId, usedAt: null })),
          ];
        },
        async consume(userId, hashes, at) {
          const code = state().recoveryCodes.find(
            (candidate) => candidate.userId === userId && hashes.includes(candidate.hash) && candidate.usedAt === null,
          );
          if (!code) return false;
          code.usedAt = at;
          return true;
        },
        async countUnused(userId) {
          return state().recoveryCodes.filter((code) => code.userId === userId && code.usedAt === null).length;
        },
        async deleteAll(userId) {
          state().recoveryCodes = state().recoveryCodes.filter((code) => code.userId !== userId);
        },
      },
      mfaChallenges: {
        async create(challenge) {
          state().mfaChallenges.set(challenge.id, { ...challenge, failedAttempts: 0, consumedAt: null });
        },
        async findByTokenHash(tokenHash) {
          const challenge = [...state().mfaChallenges.values()].find((candidate) => candidate.tokenHash === tokenHash);
          return challenge ? withoutTokenHash(challenge) : null;
        },
        async lockByTokenHash(tokenHash) {
          const challenge = [...state().mfaChallenges.values()].find((candidate) => candidate.tokenHash === tokenHash);
          return challenge ? withoutTokenHash(challenge) : null;
        },
        async recordFailure(id) {
          const challenge = state().mfaChallenges.get(id);
          if (!challenge) throw new Error(`no challenge ${id}`);
          challenge.failedAttempts += 1;
          return challenge.failedAttempts;
        },
        async consume(id, at) {
          const challenge = state().mfaChallenges.get(id);
          if (challenge) challenge.consumedAt = at;
        },
        async deleteSpent(userId, now) {
          let deleted = 0;
          for (const challenge of [...state().mfaChallenges.values()]) {
            const spent =
              challenge.consumedAt !== null || challenge.expiresAt <= now || challenge.failedAttempts >= MFA_CHALLENGE_MAX_FAILURES;
            if (challenge.userId === userId && spent) {
              state().mfaChallenges.delete(challenge.id);
              deleted += 1;
            }
          }
          return deleted;
        },
      },
      audit: {
        async append(entry) {
          // The rule: an audit row commits with the change it records, inside uow.run.
          if (!options.inTransaction) throw new Error('audit rows are written inside uow.run only');
          state().audit.push(structuredClone(entry));
        },
      },
      auditTrail: {
        async query(query: AuditLogQuery) {
          const before = query.before;
          return state()
            .audit.filter((entry) => !query.userId || entry.userId === query.userId)
            .filter((entry) => !query.eventType || entry.eventType === query.eventType)
            .filter((entry) => !query.from || entry.createdAt >= query.from)
            .filter((entry) => !query.to || entry.createdAt <= query.to)
            .filter((entry) => !before || newestFirst(entry, before) > 0)
            .sort(newestFirst)
            .slice(0, query.limit)
            .map((entry) => structuredClone(entry));
        },
      },
      outbox: {
        async append(event) {
          // The rule: an event commits with the change it announces, inside uow.run.
          if (!options.inTransaction) throw new Error('the outbox is written inside uow.run only');
          const failure = outboxFailure();
          if (failure) throw failure;
          state().outbox.push(structuredClone(event));
        },
      },
      mail: {
        async enqueue(mail) {
          // The rule: a mail commits with the change that needs it, inside uow.run.
          if (!options.inTransaction) throw new Error('mail is queued inside uow.run only');
          const code = mail.userId === null ? null : (state().users.get(mail.userId)?.user.antiPhishingCode ?? null);
          const queued = code === null ? mail : { ...mail, data: { ...mail.data, anti_phishing_code: code } };
          state().mail.push(structuredClone(queued));
        },
        async countSince(userId, templates, since) {
          return state().mail.filter(
            (mail) => mail.userId === userId && templates.includes(mail.template) && mail.createdAt.getTime() > since.getTime(),
          ).length;
        },
      },
      loginDevices: {
        async record(userId, device, at) {
          const same = (stored: StoredLoginDevice) =>
            stored.userId === userId && stored.browser === device.browser && stored.os === device.os && stored.network === device.network;
          const stored = state().loginDevices.find(same);
          if (!stored) {
            state().loginDevices.push({ ...device, userId, firstSeenAt: at, lastSeenAt: at });
            return null;
          }
          const previous = stored.lastSeenAt;
          if (at > previous) stored.lastSeenAt = at;
          return previous;
        },
      },
      oneTimeTokens: {
        async issue(token: NewOneTimeToken) {
          const current = state();
          if (isSupersededByNewer(token.kind)) {
            current.oneTimeTokens = current.oneTimeTokens.filter(
              (stored) => !(stored.userId === token.userId && stored.kind === token.kind && stored.usedAt === null),
            );
          }
          current.oneTimeTokens.push({ ...structuredClone(token), usedAt: null });
        },
        async findLive(tokenHash, kind, at) {
          const found = state().oneTimeTokens.find((stored) => isLive(stored, tokenHash, kind, at));
          return found ? withoutTokenHash(found) : null;
        },
        async consume(tokenHash, kind, at) {
          const found = state().oneTimeTokens.find((stored) => isLive(stored, tokenHash, kind, at));
          if (!found) return null;
          found.usedAt = at;
          return withoutTokenHash(found);
        },
        async revokeAll(userId, at, kinds) {
          let revoked = 0;
          for (const stored of state().oneTimeTokens) {
            const named = kinds ?? ONE_TIME_TOKEN_KINDS_REVOKED_BY_DEFAULT;
            if (stored.userId !== userId || stored.usedAt !== null || !named.includes(stored.kind)) continue;
            stored.usedAt = at;
            revoked += 1;
          }
          return revoked;
        },
      },
    };
  }
}

function withoutTokenHash<T extends { tokenHash: string }>({ tokenHash: _tokenHash, ...rest }: T): Omit<T, 'tokenHash'> {
  return rest;
}

function isLive(stored: StoredOneTimeToken, tokenHash: string, kind: OneTimeToken['kind'], at: Date): boolean {
  return stored.tokenHash === tokenHash && stored.kind === kind && stored.usedAt === null && stored.expiresAt > at;
}

/** Newest first by (createdAt, id): negative when `a` comes before `b`. */
function newestFirst(a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id);
}
