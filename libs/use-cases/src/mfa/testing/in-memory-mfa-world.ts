import type {
  AuditEntry,
  Clock,
  DomainEvent,
  KeyedDigest,
  LoginAttemptReservation,
  LoginThrottle,
  MfaChallenge,
  MfaVerificationResult,
  OneTimeSecrets,
  Principal,
  Repositories,
  SealedSecret,
  SecretBox,
  Session,
  TotpVerifier,
  User,
  UserMfaRecord,
} from '@pandora/domain';
import type { UseCaseDeps } from '../../use-case-deps';

/**
 * In-memory fakes of every port the MFA use cases take, for their unit tests: a small world with
 * users, sessions, MFA rows, recovery codes, challenges, audit rows and events, whose unit of work
 * rolls back (restores a snapshot) when the work throws. Only tests import this.
 */
interface State {
  users: Map<string, User & { passwordHash: string }>;
  sessions: Map<string, Session>;
  mfa: Map<string, UserMfaRecord>;
  recoveryCodes: Array<{ id: string; userId: string; hash: string; keyId: string; usedAt: Date | null }>;
  challenges: Map<string, MfaChallenge & { tokenHash: string }>;
  audit: AuditEntry[];
  outbox: DomainEvent[];
}

const STEP_MS = 30_000;

export class FakeClock implements Clock {
  constructor(public current = Date.parse('2026-12-01T10:00:15.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  get step(): number {
    return Math.floor(this.current / STEP_MS);
  }
  nextStep(): void {
    this.current += STEP_MS;
  }
}

/** A stand-in for RFC 6238: the code of a step is derived from the secret and the step, ±1 step accepted. */
export class FakeTotp implements TotpVerifier {
  private issued = 0;
  constructor(private readonly clock: FakeClock) {}
  static codeFor(secret: string, step: number): string {
    let value = step;
    for (const character of secret) value = (value * 31 + character.charCodeAt(0)) % 1_000_000;
    return String(value).padStart(6, '0');
  }
  newSecret(): string {
    return `SECRET${++this.issued}`;
  }
  keyUri(input: { secret: string; accountName: string; issuer: string }): string {
    return `otpauth://totp/${input.issuer}:${input.accountName}?secret=${input.secret}`;
  }
  verify(secret: string, code: string): { step: number } | null {
    for (const step of [this.clock.step - 1, this.clock.step, this.clock.step + 1])
      if (FakeTotp.codeFor(secret, step) === code) return { step };
    return null;
  }
}

/** Seals by reversing (good enough to prove nothing stores the clear value) under a key id. */
export class FakeSecretBox implements SecretBox {
  constructor(
    public currentKeyId = 'k2',
    private readonly knownKeyIds = ['k2', 'k1'],
  ) {}
  seal(plaintext: string, context: string): SealedSecret {
    return {
      ciphertext: Buffer.from(`${context}|${plaintext}`.split('').reverse().join('')),
      nonce: Buffer.alloc(12),
      keyId: this.currentKeyId,
    };
  }
  open(sealed: SealedSecret, context: string): string {
    if (!this.knownKeyIds.includes(sealed.keyId)) throw new Error(`unknown key ${sealed.keyId}`);
    const [owner, plaintext] = Buffer.from(sealed.ciphertext).toString().split('').reverse().join('').split('|') as [string, string];
    if (owner !== context) throw new Error('sealed for someone else');
    return plaintext;
  }
  isCurrent(sealed: Pick<SealedSecret, 'keyId'>): boolean {
    return sealed.keyId === this.currentKeyId;
  }
  digest(value: string, context: string): KeyedDigest {
    return { keyId: this.currentKeyId, hash: `${this.currentKeyId}:${context}:${value}` };
  }
  digestCandidates(value: string, context: string): KeyedDigest[] {
    return this.knownKeyIds.map((keyId) => ({ keyId, hash: `${keyId}:${context}:${value}` }));
  }
}

export class FakeOneTimeSecrets implements OneTimeSecrets {
  private next = 0;
  recoveryCode(): string {
    return `ABCDE${String(23456 + this.next++).slice(-5)}`.replace(/[01]/g, '9');
  }
  challengeToken(): { token: string; hash: string } {
    const token = `mfa_token_${++this.next}`;
    return { token, hash: `hash:${token}` };
  }
  challengeTokenHash(token: string): string | null {
    return token.startsWith('mfa_token_') ? `hash:${token}` : null;
  }
}

/** Counts failures per email and locks at the threshold, like the Redis throttle (without timing). */
export class FakeLoginThrottle implements LoginThrottle {
  readonly failures = new Map<string, number>();
  readonly calls: string[] = [];
  constructor(private readonly threshold = 5) {}
  async reserve(email: string): Promise<LoginAttemptReservation> {
    this.calls.push(`reserve:${email}`);
    return (this.failures.get(email) ?? 0) >= this.threshold
      ? { allowed: false, retryAfterSeconds: 60 }
      : { allowed: true, reservation: 'r' };
  }
  async recordFailure(email: string): Promise<{ lockedUntil: Date | null; lockLevel: number }> {
    this.calls.push(`failure:${email}`);
    const count = (this.failures.get(email) ?? 0) + 1;
    this.failures.set(email, count);
    return count >= this.threshold
      ? { lockedUntil: new Date(Date.parse('2026-12-01T11:00:00Z')), lockLevel: 1 }
      : { lockedUntil: null, lockLevel: 0 };
  }
  async recordSuccess(email: string): Promise<void> {
    this.calls.push(`success:${email}`);
    this.failures.delete(email);
  }
  async release(email: string): Promise<void> {
    this.calls.push(`release:${email}`);
  }
  async clear(email: string): Promise<void> {
    this.failures.delete(email);
  }
  async lockedUntil(): Promise<Date | null> {
    return null;
  }
}

function copyOf(state: State): State {
  return {
    users: new Map([...state.users].map(([id, user]) => [id, { ...user }])),
    sessions: new Map([...state.sessions].map(([id, session]) => [id, { ...session }])),
    mfa: new Map([...state.mfa].map(([id, record]) => [id, { ...record }])),
    recoveryCodes: state.recoveryCodes.map((code) => ({ ...code })),
    challenges: new Map([...state.challenges].map(([id, challenge]) => [id, { ...challenge }])),
    audit: [...state.audit],
    outbox: [...state.outbox],
  };
}

const unused = () => {
  throw new Error('not used by the MFA use cases');
};

export class InMemoryMfaWorld {
  state: State = { users: new Map(), sessions: new Map(), mfa: new Map(), recoveryCodes: [], challenges: new Map(), audit: [], outbox: [] };
  readonly clock = new FakeClock();
  readonly totp = new FakeTotp(this.clock);
  readonly secretBox = new FakeSecretBox();
  readonly oneTimeSecrets = new FakeOneTimeSecrets();
  readonly loginThrottle = new FakeLoginThrottle();
  readonly verifications: MfaVerificationResult[] = [];
  readonly invalidated: string[] = [];
  private ids = 0;

  readonly repositories: Repositories = this.repositoriesOf(() => this.state);

  readonly deps = {
    uow: {
      run: async <T>(work: (repositories: Repositories) => Promise<T>): Promise<T> => {
        const before = copyOf(this.state);
        try {
          return await work(this.repositories);
        } catch (error) {
          this.state = before;
          throw error;
        }
      },
    },
    repositories: this.repositories,
    hasher: {
      hash: async (password: string) => `hashed:${password}`,
      verify: async (hash: string, password: string) => hash === `hashed:${password}`,
      verifyDummy: async () => undefined,
      needsRehash: () => false,
    },
    loginThrottle: this.loginThrottle,
    principals: { load: unused, invalidate: (ids: readonly string[]) => void this.invalidated.push(...ids) },
    totp: this.totp,
    secretBox: this.secretBox,
    oneTimeSecrets: this.oneTimeSecrets,
    accessTokens: {
      issue: async (subject: { authentication: { aal: number } }) => ({
        token: `access:aal${subject.authentication.aal}`,
        expiresInSeconds: 900,
      }),
      verify: unused,
    },
    refreshTokens: { generate: () => ({ token: `rt_${++this.ids}`, hash: `rth_${this.ids}` }), hash: () => null },
    clock: this.clock,
    ids: { newId: () => `00000000-0000-4000-8000-${String(++this.ids).padStart(12, '0')}` },
    metrics: {
      registration: () => undefined,
      login: () => undefined,
      tokenRefresh: () => undefined,
      loginLocked: () => undefined,
      mfaVerification: (result: MfaVerificationResult) => void this.verifications.push(result),
    },
    securityLog: { record: () => undefined },
    settings: {
      auth: { refreshTokenTtlMs: 3_600_000, sessionAbsoluteTtlMs: 7_200_000, refreshReuseGraceMs: 10_000 },
      auditRetentionDays: 30,
      mfa: { challengeTtlMs: 300_000, totpIssuer: 'Pandora Exchange' },
    },
  } satisfies Omit<UseCaseDeps, 'principals' | 'accessTokens' | 'refreshTokens'> & Record<string, unknown>;

  addUser(overrides: Partial<User> = {}, password = 'correct horse battery staple'): User {
    const id = overrides.id ?? this.deps.ids.newId();
    const user: User & { passwordHash: string } = {
      id,
      email: `${id.slice(-4)}@example.com`,
      firstName: 'Ada',
      lastName: 'Lovelace',
      role: 'user',
      kycStatus: 'pending',
      createdAt: this.clock.now(),
      updatedAt: this.clock.now(),
      deletedAt: null,
      mfaEnabled: false,
      securityChangedAt: null,
      ...overrides,
      passwordHash: `hashed:${password}`,
    };
    this.state.users.set(id, user);
    return user;
  }

  addSession(userId: string): Session {
    const session: Session = {
      id: this.deps.ids.newId(),
      userId,
      ipAddress: null,
      userAgent: null,
      createdAt: this.clock.now(),
      lastUsedAt: this.clock.now(),
      expiresAt: new Date(this.clock.current + 3_600_000),
      absoluteExpiresAt: new Date(this.clock.current + 7_200_000),
      revokedAt: null,
      revokedReason: null,
      amr: ['pwd'],
      aal: 1,
      authTime: this.clock.now(),
    };
    this.state.sessions.set(session.id, session);
    return session;
  }

  principalOf(user: User, session: Session): Principal {
    return { userId: user.id, sessionId: session.id, email: user.email, role: user.role, aal: session.aal };
  }

  /** A user with TOTP on (secret `secret`), as a confirmed enrolment leaves them. */
  addMfaUser(secret = 'SECRETX', keyId = this.secretBox.currentKeyId): User {
    const user = this.addUser({ mfaEnabled: true });
    this.state.mfa.set(user.id, {
      userId: user.id,
      secret: { ...this.secretBox.seal(secret, user.id), keyId },
      pending: null,
      pendingCreatedAt: null,
      lastUsedStep: null,
      enabledAt: this.clock.now(),
    });
    return user;
  }

  code(secret = 'SECRETX', offset = 0): string {
    return FakeTotp.codeFor(secret, this.clock.step + offset);
  }

  events(type?: string): DomainEvent[] {
    return this.state.outbox.filter((event) => !type || event.type === type);
  }

  auditRows(eventType?: string): AuditEntry[] {
    return this.state.audit.filter((row) => !eventType || row.eventType === eventType);
  }

  private repositoriesOf(state: () => State): Repositories {
    const userOf = (id: string) => {
      const row = state().users.get(id);
      if (!row || row.deletedAt) return null;
      const { passwordHash: _hash, ...user } = row;
      return user;
    };
    return {
      users: {
        findById: async (id) => userOf(id),
        findByEmail: async (email) => [...state().users.values()].find((user) => user.email === email && !user.deletedAt) ?? null,
        findCredentialsByEmail: unused,
        findCredentialsById: async (id) => {
          const user = userOf(id);
          return user ? { user, passwordHash: (state().users.get(id) as { passwordHash: string }).passwordHash } : null;
        },
        lockById: async (id) => userOf(id),
        create: unused,
        update: async (id, changes, at) => {
          const row = state().users.get(id);
          if (!row) throw new Error('no user');
          Object.assign(row, changes, { updatedAt: at });
          return userOf(id) as User;
        },
        softDelete: unused,
        search: unused,
        statistics: unused,
      },
      sessions: {
        create: async (session, _token) => {
          const created: Session = {
            ...session,
            lastUsedAt: session.createdAt,
            revokedAt: null,
            revokedReason: null,
            amr: session.amr ?? ['pwd'],
            aal: session.aal ?? 1,
            authTime: session.authTime ?? session.createdAt,
          };
          state().sessions.set(created.id, created);
          return created;
        },
        findById: async (id) => state().sessions.get(id) ?? null,
        listActive: async (userId) => [...state().sessions.values()].filter((session) => session.userId === userId && !session.revokedAt),
        findRefreshTokenForUpdate: unused,
        rotateRefreshToken: unused,
        revoke: async (ids, reason, at) => {
          const revoked = ids.filter((id) => state().sessions.get(id)?.revokedAt === null);
          for (const id of revoked) Object.assign(state().sessions.get(id) as Session, { revokedAt: at, revokedReason: reason });
          return revoked.sort();
        },
        revokeAllForUser: async (userId, reason, at, options = {}) => {
          const revoked = [...state().sessions.values()].filter(
            (session) => session.userId === userId && !session.revokedAt && session.id !== options.exceptSessionId,
          );
          for (const session of revoked) Object.assign(session, { revokedAt: at, revokedReason: reason });
          return revoked.map((session) => session.id).sort();
        },
        loadPrincipal: unused,
        countActive: unused,
      },
      mfa: {
        find: async (userId) => state().mfa.get(userId) ?? null,
        findForUpdate: async (userId) => state().mfa.get(userId) ?? null,
        savePending: async (userId, pending, at) => {
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
        confirm: async (userId, secret, at) => {
          Object.assign(state().mfa.get(userId) as UserMfaRecord, { secret, enabledAt: at, pending: null, pendingCreatedAt: null });
        },
        advanceStep: async (userId, step) => {
          const record = state().mfa.get(userId);
          if (!record || (record.lastUsedStep !== null && record.lastUsedStep >= step)) return false;
          record.lastUsedStep = step;
          return true;
        },
        resealSecret: async (userId, secret) => {
          (state().mfa.get(userId) as UserMfaRecord).secret = secret;
        },
        delete: async (userId) => state().mfa.delete(userId),
      },
      recoveryCodes: {
        replaceAll: async (userId, codes) => {
          state().recoveryCodes = [
            ...state().recoveryCodes.filter((code) => code.userId !== userId),
            ...codes.map((code) => ({ id: code.id, userId, hash: code.digest.hash, keyId: code.digest.keyId, usedAt: null })),
          ];
        },
        consume: async (userId, hashes, at) => {
          const code = state().recoveryCodes.find(
            (candidate) => candidate.userId === userId && hashes.includes(candidate.hash) && !candidate.usedAt,
          );
          if (!code) return false;
          code.usedAt = at;
          return true;
        },
        countUnused: async (userId) => state().recoveryCodes.filter((code) => code.userId === userId && !code.usedAt).length,
        deleteAll: async (userId) => {
          state().recoveryCodes = state().recoveryCodes.filter((code) => code.userId !== userId);
        },
      },
      mfaChallenges: {
        create: async (challenge) => void state().challenges.set(challenge.id, { ...challenge, failedAttempts: 0, consumedAt: null }),
        findByTokenHash: async (hash) => [...state().challenges.values()].find((challenge) => challenge.tokenHash === hash) ?? null,
        lockByTokenHash: async (hash) => [...state().challenges.values()].find((challenge) => challenge.tokenHash === hash) ?? null,
        recordFailure: async (id) => ++(state().challenges.get(id) as MfaChallenge).failedAttempts,
        consume: async (id, at) => void ((state().challenges.get(id) as MfaChallenge).consumedAt = at),
        deleteSpent: async () => 0,
      },
      audit: { append: async (entry) => void state().audit.push(entry) },
      auditTrail: { query: unused },
      outbox: { append: async (event) => void state().outbox.push(event) },
    };
  }
}
