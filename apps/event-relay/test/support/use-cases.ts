import { randomBytes, randomUUID } from 'node:crypto';
import {
  AesGcmSecretBox,
  Argon2PasswordHasher,
  CachedSessionPrincipalStore,
  JwtAccessTokenService,
  KeyRing,
  OpaqueRefreshTokenService,
  OtpAuthTotpVerifier,
  RandomOneTimeSecrets,
} from '@pandora/auth';
import { createRepositories, Database, PgUnitOfWork } from '@pandora/data-access';
import { NO_LOGIN_THROTTLE, noopMetrics, noopSecurityLog, systemClock, type RequestContext } from '@pandora/domain';
import { createUseCases, type UseCases } from '@pandora/use-cases';
import { createTestPrismaClient, type PrismaClient } from '@pandora/testing';

/**
 * The real domain use cases over real PostgreSQL, wired like user-api's composition root (cheap
 * Argon2 parameters): what the API does to the outbox, without an HTTP hop. Used where a test
 * needs state changes that no HTTP route offers yet (a compliance KYC decision) or needs many of them.
 */
export interface Domain {
  useCases: UseCases;
  prisma: PrismaClient;
  uow: PgUnitOfWork;
  close(): Promise<void>;
}

export async function createDomain(databaseUrl: string): Promise<Domain> {
  const db = new Database({ url: databaseUrl, poolMax: 5, applicationName: 'event-relay-tests' });
  const prisma = createTestPrismaClient(databaseUrl, 'event-relay-tests');
  const repositories = createRepositories(db);
  const keyRing = await KeyRing.generateEphemeral();
  const uow = new PgUnitOfWork(db);
  const useCases = createUseCases({
    uow,
    repositories,
    hasher: new Argon2PasswordHasher({ memoryKib: 1024, timeCost: 1, parallelism: 1 }),
    accessTokens: new JwtAccessTokenService(
      keyRing,
      { issuer: 'pandora-exchange', audience: 'pandora-exchange-api', ttlMs: 900_000 },
      systemClock,
    ),
    refreshTokens: new OpaqueRefreshTokenService(),
    principals: new CachedSessionPrincipalStore((sessionId) => repositories.sessions.loadPrincipal(sessionId), 500),
    loginThrottle: NO_LOGIN_THROTTLE,
    clock: systemClock,
    ids: { newId: randomUUID },
    metrics: noopMetrics,
    securityLog: noopSecurityLog,
    settings: {
      auth: { refreshTokenTtlMs: 3_600_000, sessionAbsoluteTtlMs: 7_200_000, refreshReuseGraceMs: 10_000 },
      auditRetentionDays: 30,
      mfa: { challengeTtlMs: 300_000, totpIssuer: 'Pandora Exchange' },
    },
    totp: new OtpAuthTotpVerifier(systemClock),
    secretBox: new AesGcmSecretBox([{ kid: 'test', key: randomBytes(32) }]),
    oneTimeSecrets: new RandomOneTimeSecrets(),
  });
  return {
    useCases,
    prisma,
    uow,
    close: async () => {
      await Promise.all([prisma.$disconnect(), db.close()]);
    },
  };
}

export function requestContext(requestId: string): RequestContext {
  return { requestId, ipAddress: '203.0.113.9', userAgent: 'relay-tests/1.0', traceparent: null };
}

export const PASSWORD = 'correct horse battery staple';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${randomUUID().slice(0, 8)}@example.com`;
}
