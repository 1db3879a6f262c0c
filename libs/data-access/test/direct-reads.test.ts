import { randomBytes, randomUUID } from 'node:crypto';
import type { Repositories } from '@pandora/domain';
import { createTestDatabase, databaseUrlFor, freePort, type TestDatabase } from '@pandora/testing';
import {
  createPrismaClient,
  createRepositories,
  directPoolOf,
  PrismaUnitOfWork,
  translateInfrastructureError,
  type PrismaClient,
} from '../src';

/**
 * The per-request reads (user by id or email, the session principal) run their SQL on the Prisma
 * client's own pool outside transactions, and through Prisma inside them. Both must answer alike,
 * and fail alike when the database is not there.
 */
let db: TestDatabase;
let prisma: PrismaClient;
let uow: PrismaUnitOfWork;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ url: db.url, poolMax: 4, applicationName: 'direct-reads-tests' });
  uow = new PrismaUnitOfWork(prisma);
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

const now = new Date('2026-06-01T12:00:00.123Z');

async function seed(): Promise<{ active: string; deleted: string; email: string; deletedEmail: string; sessionId: string }> {
  const repositories = createRepositories(prisma);
  const email = `direct.${randomUUID().slice(0, 8)}@example.com`;
  const deletedEmail = `gone.${randomUUID().slice(0, 8)}@example.com`;
  const base = {
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    firstName: 'Ada',
    lastName: 'Lovelace',
    role: 'user' as const,
    createdAt: now,
  };
  const active = (await repositories.users.create({ ...base, id: randomUUID(), email })).id;
  const deleted = (await repositories.users.create({ ...base, id: randomUUID(), email: deletedEmail })).id;
  await repositories.users.softDelete(deleted, new Date(now.getTime() + 1_000));
  const session = await repositories.sessions.create(
    {
      id: randomUUID(),
      userId: active,
      ipAddress: '203.0.113.7',
      userAgent: 'tests',
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      absoluteExpiresAt: new Date(now.getTime() + 7_200_000),
    },
    { id: randomUUID(), tokenHash: randomBytes(32).toString('hex'), createdAt: now, expiresAt: new Date(now.getTime() + 3_600_000) },
  );
  return { active, deleted, email, deletedEmail, sessionId: session.id };
}

async function readAll(repositories: Repositories, ids: Awaited<ReturnType<typeof seed>>) {
  return {
    active: await repositories.users.findById(ids.active),
    deletedHidden: await repositories.users.findById(ids.deleted),
    deletedIncluded: await repositories.users.findById(ids.deleted, { includeDeleted: true }),
    unknown: await repositories.users.findById(randomUUID()),
    byEmail: await repositories.users.findByEmail(ids.email),
    byDeletedEmail: await repositories.users.findByEmail(ids.deletedEmail),
    credentials: await repositories.users.findCredentialsByEmail(ids.email),
    principal: await repositories.sessions.loadPrincipal(ids.sessionId),
    noPrincipal: await repositories.sessions.loadPrincipal(randomUUID()),
  };
}

describe('reads on the client’s own pool', () => {
  it('answer exactly what the same reads answer through Prisma inside a transaction', async () => {
    const ids = await seed();
    expect(directPoolOf(prisma)).not.toBeNull();
    const direct = await readAll(createRepositories(prisma), ids);
    const throughPrisma = await uow.run((repositories) => readAll(repositories, ids));
    expect(direct).toEqual(throughPrisma);
    expect(direct.active).toMatchObject({
      id: ids.active,
      email: ids.email,
      role: 'user',
      kycStatus: 'pending',
      createdAt: now,
      deletedAt: null,
    });
    expect(direct.deletedHidden).toBeNull();
    expect(direct.deletedIncluded?.deletedAt).toEqual(new Date(now.getTime() + 1_000));
    expect(direct.credentials?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(direct.principal).toMatchObject({ sessionId: ids.sessionId, userId: ids.active, sessionRevokedAt: null, userDeletedAt: null });
  });

  it('are used once Prisma has connected, never inside transactions nor after a disconnect (Prisma reconnects on its own)', async () => {
    const ids = await seed();
    await prisma.$transaction(async (tx) => {
      expect(directPoolOf(tx)).toBeNull();
    });
    const other = createPrismaClient({ url: db.url, poolMax: 1, applicationName: 'direct-reads-reconnect' });
    try {
      expect(directPoolOf(other)).toBeNull();
      expect((await createRepositories(other).users.findById(ids.active))?.email).toBe(ids.email);
      expect(directPoolOf(other)).not.toBeNull();
      await other.$disconnect();
      expect(directPoolOf(other)).toBeNull();
      expect((await createRepositories(other).users.findById(ids.active))?.email).toBe(ids.email);
    } finally {
      await other.$disconnect();
    }
  });

  it('fail as SERVICE_UNAVAILABLE, like Prisma’s own queries, when the database is missing or unreachable', async () => {
    const missing = createPrismaClient({
      url: databaseUrlFor(db.url, `missing_${randomUUID().slice(0, 8)}`),
      poolMax: 1,
      applicationName: 'direct-reads-missing',
    });
    const unreachable = createPrismaClient({
      url: `postgresql://postgres@127.0.0.1:${await freePort()}/postgres`,
      poolMax: 1,
      applicationName: 'direct-reads-down',
    });
    const failure = (work: () => Promise<unknown>) =>
      work().then(
        () => null,
        (error: unknown) => error,
      );
    try {
      for (const client of [missing, unreachable]) {
        // Prisma's own query connects the adapter (and fails); from then on reads go to its pool.
        const viaPrisma = await failure(() =>
          new PrismaUnitOfWork(client).run((repositories) => repositories.users.findById(randomUUID())),
        );
        expect(translateInfrastructureError(viaPrisma)?.code).toBe('SERVICE_UNAVAILABLE');
        expect(directPoolOf(client)).not.toBeNull();
        for (const viaPool of [
          await failure(() => createRepositories(client).users.findById(randomUUID())),
          await failure(() => createRepositories(client).users.findCredentialsByEmail('nobody@example.com')),
          await failure(() => createRepositories(client).sessions.loadPrincipal(randomUUID())),
        ]) {
          expect((viaPool as Error).constructor.name).not.toMatch(/^PrismaClient/);
          expect(translateInfrastructureError(viaPool)?.code).toBe('SERVICE_UNAVAILABLE');
        }
      }
    } finally {
      await missing.$disconnect();
      await unreachable.$disconnect();
    }
  });
});

describe('session creation', () => {
  it('writes the session and its first refresh token in one statement of the caller’s transaction', async () => {
    const ids = await seed();
    const sessionId = randomUUID();
    const created = await uow.run((repositories) =>
      repositories.sessions.create(
        {
          id: sessionId,
          userId: ids.active,
          ipAddress: null,
          userAgent: null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + 60_000),
          absoluteExpiresAt: new Date(now.getTime() + 120_000),
        },
        { id: randomUUID(), tokenHash: 'b'.repeat(64), createdAt: now, expiresAt: new Date(now.getTime() + 60_000) },
      ),
    );
    expect(created).toEqual({
      id: sessionId,
      userId: ids.active,
      ipAddress: null,
      userAgent: null,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + 60_000),
      absoluteExpiresAt: new Date(now.getTime() + 120_000),
      revokedAt: null,
      revokedReason: null,
    });
    const found = await createRepositories(prisma).sessions.findRefreshTokenForUpdate('b'.repeat(64));
    expect(found?.session).toEqual(created);
    expect(found?.token).toMatchObject({ sessionId, expiresAt: new Date(now.getTime() + 60_000), rotatedAt: null });

    const rolledBack = randomUUID();
    await expect(
      uow.run(async (repositories) => {
        await repositories.sessions.create(
          { id: rolledBack, userId: ids.active, ipAddress: null, userAgent: null, createdAt: now, expiresAt: now, absoluteExpiresAt: now },
          { id: randomUUID(), tokenHash: 'c'.repeat(64), createdAt: now, expiresAt: now },
        );
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await createRepositories(prisma).sessions.findById(rolledBack)).toBeNull();
    expect(await createRepositories(prisma).sessions.findRefreshTokenForUpdate('c'.repeat(64))).toBeNull();
  });
});
