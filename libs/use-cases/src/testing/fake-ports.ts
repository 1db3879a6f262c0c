import {
  principalOf,
  type KycStatus,
  type MailTemplate,
  type Principal,
  type RequestContext,
  type Role,
  type Session,
  type User,
} from '@pandora/domain';
import type { AuthResult } from '../auth/auth-result';
import { isMfaChallenge, type MfaChallengeIssued } from '../auth/mfa-challenge';
import type { Ports } from '../ports';
import {
  FakeAccessTokens,
  FakeClock,
  FakeHasher,
  FakeLoginThrottle,
  FakeOneTimeSecrets,
  FakeRefreshTokens,
  FakeSecretBox,
  FakeTotp,
  RecordingMetrics,
  RecordingPrincipalStore,
  RecordingSecurityLog,
  SequentialIds,
} from './fake-adapters';
import { InMemoryDatabase } from './in-memory-database';

/** Every port, faked in memory, with the fakes' own types so a test can look inside them. */
export interface FakePorts extends Ports {
  db: InMemoryDatabase;
  clock: FakeClock;
  ids: SequentialIds;
  hasher: FakeHasher;
  loginThrottle: FakeLoginThrottle;
  principals: RecordingPrincipalStore;
  accessTokens: FakeAccessTokens;
  refreshTokens: FakeRefreshTokens;
  metrics: RecordingMetrics;
  securityLog: RecordingSecurityLog;
  totp: FakeTotp;
  secretBox: FakeSecretBox;
  oneTimeSecrets: FakeOneTimeSecrets;
}

export const HOUR_MS = 3_600_000;

/** A use case's ports for a unit test: pass it to the constructor, then read `db`, `principals`… */
export function createFakePorts(): FakePorts {
  const db = new InMemoryDatabase();
  const clock = new FakeClock();
  return {
    db,
    uow: db,
    repositories: db.repositories,
    // The real read cache is tested over PostgreSQL (libs/data-access); here every read is the database's answer.
    userReads: db.repositories.users,
    clock,
    ids: new SequentialIds(),
    hasher: new FakeHasher(),
    loginThrottle: new FakeLoginThrottle(clock),
    principals: new RecordingPrincipalStore(async (sessionId) => {
      const session = await db.repositories.sessions.findById(sessionId);
      return principalOf(session, session && (await db.repositories.users.findById(session.userId, { includeDeleted: true })));
    }),
    accessTokens: new FakeAccessTokens(clock),
    refreshTokens: new FakeRefreshTokens(),
    metrics: new RecordingMetrics(),
    securityLog: new RecordingSecurityLog(),
    totp: new FakeTotp(clock),
    secretBox: new FakeSecretBox(),
    oneTimeSecrets: new FakeOneTimeSecrets(),
    auth: { refreshTokenTtlMs: 24 * HOUR_MS, sessionAbsoluteTtlMs: 7 * 24 * HOUR_MS, refreshReuseGraceMs: 10_000 },
    mfa: { challengeTtlMs: 5 * 60_000, totpIssuer: 'Pandora Exchange' },
    auditRetentionDays: 30,
    mailFlows: {
      emailVerificationTtlMs: 24 * HOUR_MS,
      passwordResetTtlMs: HOUR_MS / 2,
      emailChangeTtlMs: 24 * HOUR_MS,
      mailCap: { limit: 3, windowMs: HOUR_MS },
    },
  };
}

/** Where a call came from, as a transport would pass it. */
export const CONTEXT: RequestContext = {
  requestId: 'req-1',
  ipAddress: '203.0.113.7',
  userAgent: 'unit-tests/1.0',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

export const PASSWORD = 'correct horse battery staple';

/** A password that passes the policy, for the tests that change or reset one. */
export const NEW_PASSWORD = 'a brand new passphrase';

export interface SeedUser {
  email?: string;
  password?: string;
  role?: Role;
  kycStatus?: KycStatus;
  firstName?: string;
  lastName?: string;
}

let seeded = 0;

/** Given an account (written straight to the database: no audit row, no event). */
export async function seedUser(ports: FakePorts, spec: SeedUser = {}): Promise<User> {
  seeded += 1;
  const passwordHash = await ports.hasher.hash(spec.password ?? PASSWORD);
  ports.hasher.hashed.length = 0;
  return ports.db.run(async (repositories) => {
    const user = await repositories.users.create({
      id: ports.ids.newId(),
      email: spec.email ?? `user${seeded}@example.com`,
      passwordHash,
      firstName: spec.firstName ?? 'Ada',
      lastName: spec.lastName ?? 'Lovelace',
      role: spec.role ?? 'user',
      createdAt: ports.clock.now(),
    });
    return spec.kycStatus && spec.kycStatus !== 'pending'
      ? repositories.users.update(user.id, { kycStatus: spec.kycStatus }, ports.clock.now())
      : user;
  });
}

export interface SignedIn {
  principal: Principal;
  session: Session;
  refreshToken: string;
}

/** Given a live session of `user` (straight to the database), and the principal a transport would pass. */
export async function signIn(ports: FakePorts, user: User): Promise<SignedIn> {
  const now = ports.clock.now();
  const refresh = ports.refreshTokens.generate();
  const expiresAt = new Date(now.getTime() + ports.auth.refreshTokenTtlMs);
  const session = await ports.db.run((repositories) =>
    repositories.sessions.create(
      {
        id: ports.ids.newId(),
        userId: user.id,
        ipAddress: CONTEXT.ipAddress,
        userAgent: CONTEXT.userAgent,
        createdAt: now,
        expiresAt,
        absoluteExpiresAt: new Date(now.getTime() + ports.auth.sessionAbsoluteTtlMs),
      },
      { id: ports.ids.newId(), tokenHash: refresh.hash, createdAt: now, expiresAt },
    ),
  );
  return {
    principal: { userId: user.id, sessionId: session.id, email: user.email, role: user.role, aal: session.aal },
    session,
    refreshToken: refresh.token,
  };
}

/** The TOTP secret `seedMfaUser` gives a user unless told otherwise. */
export const TOTP_SECRET = 'SECRETX';

/**
 * Given an account with TOTP on (written straight to the database, as a confirmed enrolment leaves
 * it): the secret sealed under `keyId` (the sealing key by default), no step used yet.
 */
export async function seedMfaUser(ports: FakePorts, spec: SeedUser & { secret?: string; keyId?: string } = {}): Promise<User> {
  const user = await seedUser(ports, spec);
  const sealed = ports.secretBox.seal(spec.secret ?? TOTP_SECRET, user.id);
  const now = ports.clock.now();
  return ports.db.run(async (repositories) => {
    await repositories.mfa.savePending(user.id, { ...sealed, keyId: spec.keyId ?? sealed.keyId }, now);
    await repositories.mfa.confirm(user.id, { ...sealed, keyId: spec.keyId ?? sealed.keyId }, now);
    return repositories.users.update(user.id, { mfaEnabled: true }, user.updatedAt);
  });
}

/** The code an authenticator app shows now for `secret` (`steps` later or earlier). */
export function totpCode(ports: FakePorts, secret = TOTP_SECRET, steps = 0): string {
  return FakeTotp.codeFor(secret, FakeTotp.stepOf(ports.clock.now()) + steps);
}

/** Types of the events committed to the outbox, in order. */
export function eventTypes(ports: FakePorts): string[] {
  return ports.db.outbox.map((event) => event.type);
}

/** Types of the audit rows committed, in order. */
export function auditTypes(ports: FakePorts): string[] {
  return ports.db.audit.map((entry) => entry.eventType);
}

/** The session of a login that asked for no second factor; a challenge instead fails the test. */
export function sessionOf(result: AuthResult | MfaChallengeIssued): AuthResult {
  if (isMfaChallenge(result)) throw new Error('expected a session, got an MFA challenge');
  return result;
}

/** The challenge of a login that asked for a second factor; a session instead fails the test. */
export function challengeOf(result: AuthResult | MfaChallengeIssued): MfaChallengeIssued {
  if (!isMfaChallenge(result)) throw new Error('expected an MFA challenge, got a session');
  return result;
}

/** The token the newest queued mail of `template` carries in its link. */
export function linkOf(ports: FakePorts, template: MailTemplate): string {
  const mail = ports.db.mail.filter((queued) => queued.template === template).at(-1);
  if (!mail?.linkToken) throw new Error(`no ${template} mail with a link`);
  return mail.linkToken;
}

/** The security notices queued, each with the freeze token its link carries (checked to be live and of the right kind). */
export function noticesQueued(
  ports: FakePorts,
): Array<{ template: string; recipient: string; data: Record<string, unknown>; freezeToken: string }> {
  return ports.db.mail
    .filter((mail) =>
      ['password_changed', 'mfa_enabled', 'mfa_disabled', 'email_change_notice', 'new_device_login'].includes(mail.template),
    )
    .map((mail) => ({ template: mail.template, recipient: mail.recipient, data: mail.data, freezeToken: mail.linkToken ?? '' }));
}
