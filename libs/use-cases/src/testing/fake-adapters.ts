import type {
  AccessTokenClaims,
  AccessTokenService,
  AccessTokenSubject,
  Clock,
  DomainMetrics,
  IdGenerator,
  KeyedDigest,
  LoginAttemptReservation,
  LoginResult,
  LoginSource,
  LoginThrottle,
  MfaVerificationResult,
  OneTimeSecrets,
  PasswordHasher,
  RefreshResult,
  RefreshTokenService,
  SealedSecret,
  SecretBox,
  SecurityEventLog,
  SessionPrincipal,
  SessionPrincipalStore,
  TotpVerifier,
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

/**
 * The login throttle's two budgets of failures, without timing: consecutive failures per email lock
 * it once they reach `threshold`; failures per (client IP, email) — for attempts reserved with a
 * source — refuse further attempts from that IP once they reach `sourceLimit`. A success resets the
 * email's count and its own source's. Records what it was asked (`calls`).
 */
export class FakeLoginThrottle implements LoginThrottle {
  readonly failures = new Map<string, number>();
  readonly locks = new Map<string, Date>();
  /** Failures per `<ip>|<email>` (`unknown` for a source without an IP). */
  readonly sourceFailures = new Map<string, number>();
  readonly calls: string[] = [];
  sourceLimit = Number.POSITIVE_INFINITY;
  private reservations = 0;
  private readonly sourceOfReservation = new Map<string, string | null>();

  constructor(
    private readonly clock: Clock,
    public threshold = 5,
    private readonly lockMs = 60_000,
  ) {}

  static sourceKey(email: string, source: LoginSource): string {
    return `${source.ipAddress ?? 'unknown'}|${email}`;
  }

  async reserve(email: string, source?: LoginSource): Promise<LoginAttemptReservation> {
    this.calls.push(`reserve ${email}`);
    const lockedUntil = this.locks.get(email);
    if (lockedUntil && lockedUntil > this.clock.now()) {
      return {
        allowed: false,
        retryAfterSeconds: Math.ceil((lockedUntil.getTime() - this.clock.now().getTime()) / 1000),
        refusedBy: 'account',
      };
    }
    const sourceKey = source ? FakeLoginThrottle.sourceKey(email, source) : null;
    if (sourceKey && (this.sourceFailures.get(sourceKey) ?? 0) >= this.sourceLimit) {
      return { allowed: false, retryAfterSeconds: 60, refusedBy: 'ip_and_email' };
    }
    this.reservations += 1;
    const reservation = `r${this.reservations}`;
    this.sourceOfReservation.set(reservation, sourceKey);
    return { allowed: true, reservation };
  }

  async recordFailure(email: string, reservation: string): Promise<{ lockedUntil: Date | null; lockLevel: number }> {
    this.calls.push(`failure ${email}`);
    const sourceKey = this.sourceOfReservation.get(reservation);
    if (sourceKey) this.sourceFailures.set(sourceKey, (this.sourceFailures.get(sourceKey) ?? 0) + 1);
    const failures = (this.failures.get(email) ?? 0) + 1;
    this.failures.set(email, failures);
    if (failures < this.threshold) return { lockedUntil: null, lockLevel: 0 };
    const lockedUntil = new Date(this.clock.now().getTime() + this.lockMs);
    this.locks.set(email, lockedUntil);
    return { lockedUntil, lockLevel: 1 };
  }

  async recordSuccess(email: string, reservation: string): Promise<void> {
    this.calls.push(`success ${email}`);
    this.failures.delete(email);
    const sourceKey = this.sourceOfReservation.get(reservation);
    if (sourceKey) this.sourceFailures.delete(sourceKey);
  }

  async release(email: string): Promise<void> {
    this.calls.push(`release ${email}`);
  }

  async clear(email: string): Promise<void> {
    this.calls.push(`clear ${email}`);
    this.failures.delete(email);
    this.locks.delete(email);
    for (const key of this.sourceFailures.keys()) if (key.endsWith(`|${email}`)) this.sourceFailures.delete(key);
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
      amr: subject.authentication.amr,
      aal: subject.authentication.aal,
      auth_time: Math.floor(subject.authentication.authTime.getTime() / 1000),
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
  readonly mfaVerifications: MfaVerificationResult[] = [];

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

  mfaVerification(result: MfaVerificationResult): void {
    this.mfaVerifications.push(result);
  }
}

export class RecordingSecurityLog implements SecurityEventLog {
  readonly events: Array<{ event: string; fields: Record<string, unknown> }> = [];

  record(event: string, fields: Record<string, unknown>): void {
    this.events.push({ event, fields });
  }
}

const TOTP_STEP_MS = 30_000;

/**
 * A stand-in for RFC 6238 (the real one is `OtpAuthTotpVerifier`, tested against the RFC's vectors):
 * the code of a step is derived from the secret and the step; the steps around now (±1) are accepted.
 */
export class FakeTotp implements TotpVerifier {
  private issued = 0;

  constructor(private readonly clock: Clock) {}

  /** The time step of `at` (30-second steps since the epoch). */
  static stepOf(at: Date): number {
    return Math.floor(at.getTime() / TOTP_STEP_MS);
  }

  static codeFor(secret: string, step: number): string {
    let value = step;
    for (const character of secret) value = (value * 31 + character.charCodeAt(0)) % 1_000_000;
    return String(value).padStart(6, '0');
  }

  newSecret(): string {
    this.issued += 1;
    return `SECRET${this.issued}`;
  }

  keyUri(input: { secret: string; accountName: string; issuer: string }): string {
    return `otpauth://totp/${input.issuer}:${input.accountName}?secret=${input.secret}`;
  }

  verify(secret: string, code: string): { step: number } | null {
    const now = FakeTotp.stepOf(this.clock.now());
    const step = [now - 1, now, now + 1].find((candidate) => FakeTotp.codeFor(secret, candidate) === code);
    return step === undefined ? null : { step };
  }
}

/**
 * Seals by reversing `<context>|<plaintext>` under a key id (enough to show nothing stores the clear
 * value, and that a secret opens only for its owner); digests are `<key id>:<context>:<value>`.
 * The ring is `k2` (sealing) and `k1` (older) unless told otherwise.
 */
export class FakeSecretBox implements SecretBox {
  constructor(
    public currentKeyId = 'k2',
    private readonly knownKeyIds = ['k2', 'k1'],
  ) {}

  seal(plaintext: string, context: string): SealedSecret {
    return { ciphertext: Buffer.from(reverse(`${context}|${plaintext}`)), nonce: new Uint8Array(12), keyId: this.currentKeyId };
  }

  open(sealed: SealedSecret, context: string): string {
    if (!this.knownKeyIds.includes(sealed.keyId)) throw new Error(`unknown key ${sealed.keyId}`);
    const [owner, plaintext] = reverse(Buffer.from(sealed.ciphertext).toString()).split('|') as [string, string];
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

function reverse(text: string): string {
  return [...text].reverse().join('');
}

/** Recovery codes `ABCDE<5 symbols>`, challenge tokens `mfa_token_<n>` and link tokens `link_token_<n>` (stored as `hash:<token>`). */
export class FakeOneTimeSecrets implements OneTimeSecrets {
  private next = 0;

  recoveryCode(): string {
    this.next += 1;
    // Digits 0 and 1 are not in the recovery-code alphabet.
    return `ABCDE${String(23456 + this.next).slice(-5)}`.replace(/[01]/g, '9');
  }

  challengeToken(): { token: string; hash: string } {
    this.next += 1;
    const token = `mfa_token_${this.next}`;
    return { token, hash: `hash:${token}` };
  }

  challengeTokenHash(token: string): string | null {
    return token.startsWith('mfa_token_') ? `hash:${token}` : null;
  }

  linkToken(): { token: string; hash: string } {
    this.next += 1;
    const token = `link_token_${this.next}`;
    return { token, hash: `hash:${token}` };
  }

  linkTokenHash(token: string): string | null {
    return token.startsWith('link_token_') ? `hash:${token}` : null;
  }
}
