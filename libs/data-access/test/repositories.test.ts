import { randomBytes, randomUUID } from 'node:crypto';
import type { Repositories } from '@pandora/domain';
import { databaseUrlFor, freePort } from '@pandora/testing';
import { createRepositories, Database, PgUnitOfWork, translateInfrastructureError } from '../src';
import { useSuiteDatabase } from './support/suite-database';
import { PASSWORD_HASH } from './support/users';

/**
 * The repositories run the same SQL on the pool (reads outside transactions) and inside a
 * transaction; both must answer alike, and fail alike when the database is not there.
 */
const postgres = useSuiteDatabase({ applicationName: 'repositories-tests', poolMax: 3 });

const now = new Date('2026-06-01T12:00:00.123Z');

async function seed(): Promise<{ active: string; deleted: string; email: string; deletedEmail: string; sessionId: string }> {
  const repositories = createRepositories(postgres.database);
  const email = `direct.${randomUUID().slice(0, 8)}@example.com`;
  const deletedEmail = `gone.${randomUUID().slice(0, 8)}@example.com`;
  const base = {
    passwordHash: PASSWORD_HASH,
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
    session: await repositories.sessions.findById(ids.sessionId),
    noSession: await repositories.sessions.findById(randomUUID()),
  };
}

describe('reads on the pool', () => {
  it('answer exactly what the same reads answer inside a transaction', async () => {
    const ids = await seed();
    const direct = await readAll(createRepositories(postgres.database), ids);
    const inTransaction = await postgres.uow.run((repositories) => readAll(repositories, ids));
    expect(direct).toEqual(inTransaction);
    expect(direct.active).toMatchObject({
      id: ids.active,
      email: ids.email,
      role: 'user',
      kycStatus: 'pending',
      createdAt: now,
      deletedAt: null,
    });
    expect(direct.active).not.toHaveProperty('passwordHash');
    expect(direct.deletedHidden).toBeNull();
    expect(direct.deletedIncluded?.deletedAt).toEqual(new Date(now.getTime() + 1_000));
    expect(direct.credentials?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(direct.session).toMatchObject({ id: ids.sessionId, userId: ids.active, revokedAt: null });
    expect(direct.noSession).toBeNull();
  });

  it('fail as SERVICE_UNAVAILABLE, in and outside transactions, when the database is missing or unreachable', async () => {
    const missing = new Database({
      url: databaseUrlFor(postgres.db.url, `missing_${randomUUID().slice(0, 8)}`),
      poolMax: 1,
      applicationName: 'repositories-missing',
    });
    const unreachable = new Database({
      url: `postgresql://postgres@127.0.0.1:${await freePort()}/postgres`,
      poolMax: 1,
      applicationName: 'repositories-down',
    });
    const failure = (work: () => Promise<unknown>) =>
      work().then(
        () => null,
        (error: unknown) => error,
      );
    try {
      for (const database of [missing, unreachable]) {
        for (const error of [
          await failure(() => new PgUnitOfWork(database).run((repositories) => repositories.users.findById(randomUUID()))),
          await failure(() => createRepositories(database).users.findById(randomUUID())),
          await failure(() => createRepositories(database).users.findCredentialsByEmail('nobody@example.com')),
          await failure(() => createRepositories(database).sessions.findById(randomUUID())),
        ]) {
          expect(error).toHaveProperty('message');
          expect(translateInfrastructureError(error)?.code).toBe('SERVICE_UNAVAILABLE');
        }
      }
    } finally {
      await missing.close();
      await unreachable.close();
    }
  });
});

describe('session creation', () => {
  it('writes the session and its first refresh token in one statement of the caller’s transaction', async () => {
    const ids = await seed();
    const sessionId = randomUUID();
    const created = await postgres.uow.run((repositories) =>
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
      // Not given: a password login authenticated when the session was created.
      amr: ['pwd'],
      aal: 1,
      authTime: now,
    });
    const found = await createRepositories(postgres.database).sessions.findRefreshTokenForUpdate('b'.repeat(64));
    expect(found?.session).toEqual(created);

    // With a second factor: what create answers is still exactly the stored row.
    const withOtp = await postgres.uow.run((repositories) =>
      repositories.sessions.create(
        {
          id: randomUUID(),
          userId: ids.active,
          ipAddress: '2001:db8::1',
          userAgent: 'tests',
          createdAt: now,
          expiresAt: new Date(now.getTime() + 60_000),
          absoluteExpiresAt: new Date(now.getTime() + 120_000),
          amr: ['pwd', 'otp'],
          aal: 2,
          authTime: new Date(now.getTime() - 30_000),
        },
        { id: randomUUID(), tokenHash: 'd'.repeat(64), createdAt: now, expiresAt: new Date(now.getTime() + 60_000) },
      ),
    );
    expect(await createRepositories(postgres.database).sessions.findById(withOtp.id)).toEqual(withOtp);
    expect(found?.token).toMatchObject({ sessionId, expiresAt: new Date(now.getTime() + 60_000), rotatedAt: null });

    const rolledBack = randomUUID();
    await expect(
      postgres.uow.run(async (repositories) => {
        await repositories.sessions.create(
          { id: rolledBack, userId: ids.active, ipAddress: null, userAgent: null, createdAt: now, expiresAt: now, absoluteExpiresAt: now },
          { id: randomUUID(), tokenHash: 'c'.repeat(64), createdAt: now, expiresAt: now },
        );
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await createRepositories(postgres.database).sessions.findById(rolledBack)).toBeNull();
    expect(await createRepositories(postgres.database).sessions.findRefreshTokenForUpdate('c'.repeat(64))).toBeNull();
  });
});
