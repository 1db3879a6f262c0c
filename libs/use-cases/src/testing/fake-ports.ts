import type { KycStatus, Principal, RequestContext, Role, Session, User } from '@pandora/domain';
import type { Ports } from '../ports';
import {
  FakeAccessTokens,
  FakeClock,
  FakeHasher,
  FakeLoginThrottle,
  FakeRefreshTokens,
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
    clock,
    ids: new SequentialIds(),
    hasher: new FakeHasher(),
    loginThrottle: new FakeLoginThrottle(clock),
    principals: new RecordingPrincipalStore((sessionId) => db.repositories.sessions.loadPrincipal(sessionId)),
    accessTokens: new FakeAccessTokens(clock),
    refreshTokens: new FakeRefreshTokens(),
    metrics: new RecordingMetrics(),
    securityLog: new RecordingSecurityLog(),
    auth: { refreshTokenTtlMs: 24 * HOUR_MS, sessionAbsoluteTtlMs: 7 * 24 * HOUR_MS, refreshReuseGraceMs: 10_000 },
    auditRetentionDays: 30,
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
    principal: { userId: user.id, sessionId: session.id, email: user.email, role: user.role },
    session,
    refreshToken: refresh.token,
  };
}

/** Types of the events committed to the outbox, in order. */
export function eventTypes(ports: FakePorts): string[] {
  return ports.db.outbox.map((event) => event.type);
}

/** Types of the audit rows committed, in order. */
export function auditTypes(ports: FakePorts): string[] {
  return ports.db.audit.map((entry) => entry.eventType);
}
