import type {
  AccessTokenClaims,
  AccessTokenService,
  AccessTokenSubject,
  Clock,
  DomainMetrics,
  IdGenerator,
  LoginAttemptReservation,
  LoginResult,
  LoginThrottle,
  PasswordHasher,
  RefreshResult,
  RefreshTokenService,
  SecurityEventLog,
  SessionPrincipal,
  SessionPrincipalStore,
} from '@pandora/domain';
import { AppError } from '@pandora/errors';

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  constructor(private current = new Date('2026-03-01T12:00:00.000Z')) {}

  now(): Date {
    return new Date(this.current.getTime());
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Predictable UUIDs (events and audit rows validate their shape): …-000000000001, …-000000000002… */
export class SequentialIds implements IdGenerator {
  private next = 1;

  newId(): string {
    return `00000000-0000-4000-8000-${String(this.next++).padStart(12, '0')}`;
  }
}

/**
 * A transparent "hash" (`fake$<params>$<password>`): use cases only need hash/verify to agree.
 * `params` stands for the Argon2 parameters, so a test can make a stored hash outdated.
 */
export class FakeHasher implements PasswordHasher {
  params = 'v1';
  readonly hashed: string[] = [];
  dummyVerifications = 0;

  async hash(password: string): Promise<string> {
    this.hashed.push(password);
    return `fake$${this.params}$${password}`;
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    return passwordHash.replace(/^fake\$[^$]*\$/, '') === password;
  }

  async verifyDummy(): Promise<void> {
    this.dummyVerifications += 1;
  }

  needsRehash(passwordHash: string): boolean {
    return !passwordHash.startsWith(`fake$${this.params}$`);
  }
}

/** Consecutive failures per email lock it once they reach `threshold`; records what it was asked. */
export class FakeLoginThrottle implements LoginThrottle {
  readonly failures = new Map<string, number>();
  readonly locks = new Map<string, Date>();
  readonly calls: string[] = [];
  private reservations = 0;

  constructor(
    private readonly clock: Clock,
    public threshold = 5,
    private readonly lockMs = 60_000,
  ) {}

  async reserve(email: string): Promise<LoginAttemptReservation> {
    this.calls.push(`reserve ${email}`);
    const lockedUntil = this.locks.get(email);
    if (lockedUntil && lockedUntil > this.clock.now()) {
      return {
        allowed: false,
        retryAfterSeconds: Math.ceil((lockedUntil.getTime() - this.clock.now().getTime()) / 1000),
        refusedBy: 'account',
      };
    }
    this.reservations += 1;
    return { allowed: true, reservation: `r${this.reservations}` };
  }

  async recordFailure(email: string): Promise<{ lockedUntil: Date | null; lockLevel: number }> {
    this.calls.push(`failure ${email}`);
    const failures = (this.failures.get(email) ?? 0) + 1;
    this.failures.set(email, failures);
    if (failures < this.threshold) return { lockedUntil: null, lockLevel: 0 };
    const lockedUntil = new Date(this.clock.now().getTime() + this.lockMs);
    this.locks.set(email, lockedUntil);
    return { lockedUntil, lockLevel: 1 };
  }

  async recordSuccess(email: string): Promise<void> {
    this.calls.push(`success ${email}`);
    this.failures.delete(email);
  }

  async release(email: string): Promise<void> {
    this.calls.push(`release ${email}`);
  }

  async clear(email: string): Promise<void> {
    this.calls.push(`clear ${email}`);
    this.failures.delete(email);
    this.locks.delete(email);
  }

  async lockedUntil(email: string): Promise<Date | null> {
    const lockedUntil = this.locks.get(email);
    return lockedUntil && lockedUntil > this.clock.now() ? lockedUntil : null;
  }
}

/** Loads principals straight from the (in-memory) sessions, no cache; records invalidations. */
export class RecordingPrincipalStore implements SessionPrincipalStore {
  readonly invalidated: string[] = [];

  constructor(private readonly loadPrincipal: (sessionId: string) => Promise<SessionPrincipal | null>) {}

  load(sessionId: string): Promise<SessionPrincipal | null> {
    return this.loadPrincipal(sessionId);
  }

  invalidate(sessionIds: readonly string[]): void {
    this.invalidated.push(...sessionIds);
  }
}

/** Unsigned, readable access tokens (`at.<json claims>`): the use cases never look inside. */
export class FakeAccessTokens implements AccessTokenService {
  private issued = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ttlSeconds = 900,
  ) {}

  async issue(subject: AccessTokenSubject): Promise<{ token: string; expiresInSeconds: number }> {
    this.issued += 1;
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const claims: AccessTokenClaims = {
      sub: subject.userId,
      sid: subject.sessionId,
      email: subject.email,
      role: subject.role,
      jti: `jti-${this.issued}`,
      iat,
      exp: iat + this.ttlSeconds,
    };
    return { token: `at.${JSON.stringify(claims)}`, expiresInSeconds: this.ttlSeconds };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    if (!token.startsWith('at.')) throw new AppError('INVALID_TOKEN');
    const claims = JSON.parse(token.slice(3)) as AccessTokenClaims;
    if (claims.exp <= Math.floor(this.clock.now().getTime() / 1000)) throw new AppError('TOKEN_EXPIRED');
    return claims;
  }
}

/** `rt_<n>` tokens stored as `hash(rt_<n>)`; anything not shaped like ours has no hash. */
export class FakeRefreshTokens implements RefreshTokenService {
  private generated = 0;

  generate(): { token: string; hash: string } {
    this.generated += 1;
    const token = `rt_${this.generated}`;
    return { token, hash: `hash(${token})` };
  }

  hash(token: string): string | null {
    return /^rt_\d+$/.test(token) ? `hash(${token})` : null;
  }
}

/** Counts what the use cases report. */
export class RecordingMetrics implements DomainMetrics {
  registrations = 0;
  lockouts = 0;
  readonly logins: LoginResult[] = [];
  readonly refreshes: RefreshResult[] = [];

  registration(): void {
    this.registrations += 1;
  }

  login(result: LoginResult): void {
    this.logins.push(result);
  }

  tokenRefresh(result: RefreshResult): void {
    this.refreshes.push(result);
  }

  loginLocked(): void {
    this.lockouts += 1;
  }
}

export class RecordingSecurityLog implements SecurityEventLog {
  readonly events: Array<{ event: string; fields: Record<string, unknown> }> = [];

  record(event: string, fields: Record<string, unknown>): void {
    this.events.push({ event, fields });
  }
}
