import { buildUserApiConfig } from '@pandora/config';
import { auditLogs, outboxEvents, sessions, users } from '@pandora/data-access';
import { TableRows } from '@pandora/data-access/testing';
import { NO_REQUEST_CONTEXT, type Repositories, type UnitOfWork } from '@pandora/domain';
import { createUseCases, isMfaChallenge } from '@pandora/use-cases';
import { createPorts, type Database } from '@pandora/wiring';
import { createTestDatabase, type TestDatabase } from '@pandora/testing';

/**
 * Every failure path of a multi-step change is transactional: the real use cases run against the
 * real database, with an outbox writer that fails on demand after the state change and the audit
 * row were written in the same transaction.
 */
let db: TestDatabase;
let rows: TableRows;
let failOutbox = false;
const databases: Database[] = [];

class FailingOutboxUnitOfWork implements UnitOfWork {
  constructor(private readonly inner: UnitOfWork) {}
  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    return this.inner.run((repositories) =>
      work({
        ...repositories,
        outbox: {
          append: async (event) => {
            if (failOutbox) throw new Error(`outbox write failed for ${event.type}`);
            await repositories.outbox.append(event);
          },
        },
      }),
    );
  }
}

async function buildUseCases() {
  const config = buildUserApiConfig({
    APP_ENV: 'test',
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '4',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    JWT_REFRESH_TOKEN_EXPIRY: '1h',
    SESSION_ABSOLUTE_LIFETIME: '2h',
    AUDIT_RETENTION_DAYS: '30',
  });
  const { ports, database } = await createPorts(config, { applicationName: 'transaction-tests' });
  databases.push(database);
  return createUseCases({ ...ports, uow: new FailingOutboxUnitOfWork(ports.uow) });
}

beforeAll(async () => {
  db = await createTestDatabase();
  rows = new TableRows(db.url, 'transaction-tests');
});
afterAll(async () => {
  await Promise.all(databases.map((database) => database.close()));
  await rows.close();
  await db.drop();
});
afterEach(() => {
  failOutbox = false;
});

const counts = async (userId?: string) => ({
  users: await rows.count(users),
  sessions: await rows.count(sessions),
  audit: await rows.count(auditLogs, userId ? { userId } : {}),
  outbox: await rows.count(outboxEvents, userId ? { aggregateId: userId } : {}),
});

describe('failures roll back the whole change', () => {
  it('register: no user, session or audit row survives a failed outbox write', async () => {
    const useCases = await buildUseCases();
    const before = await counts();
    failOutbox = true;
    await expect(
      useCases.register.execute(
        { email: 'rollback@example.com', password: 'correct horse battery', firstName: 'R', lastName: 'B' },
        NO_REQUEST_CONTEXT,
      ),
    ).rejects.toThrow('outbox write failed for user.registered');
    expect(await counts()).toEqual(before);
  });

  it('KYC change: the status, the audit row and the event are rolled back together', async () => {
    const useCases = await buildUseCases();
    const registered = await useCases.register.execute(
      { email: 'kyc-rollback@example.com', password: 'correct horse battery', firstName: 'K', lastName: 'R' },
      NO_REQUEST_CONTEXT,
    );
    const before = await counts(registered.user.id);
    failOutbox = true;
    await expect(
      useCases.changeKycStatus.execute(
        { userId: registered.user.id, status: 'verified', as: 'admin', actor: { type: 'admin', id: null, identifier: 'test' } },
        NO_REQUEST_CONTEXT,
      ),
    ).rejects.toThrow('outbox write failed for user.kyc.updated');
    expect((await rows.one(users, { id: registered.user.id })).kycStatus).toBe('pending');
    expect(await counts(registered.user.id)).toEqual(before);
  });

  it('account deletion: the user stays, its sessions stay live', async () => {
    const useCases = await buildUseCases();
    const registered = await useCases.register.execute(
      { email: 'delete-rollback@example.com', password: 'correct horse battery', firstName: 'D', lastName: 'R' },
      NO_REQUEST_CONTEXT,
    );
    failOutbox = true;
    await expect(
      useCases.deleteUser.execute(
        { userId: registered.user.id, actor: { type: 'user', id: registered.user.id, identifier: null } },
        NO_REQUEST_CONTEXT,
      ),
    ).rejects.toThrow('outbox write failed');
    expect((await rows.one(users, { id: registered.user.id })).deletedAt).toBeNull();
    expect(await rows.count(sessions, { userId: registered.user.id, revokedAt: null })).toBe(1);
  });

  it('password change: the old password still works and no session was revoked', async () => {
    const useCases = await buildUseCases();
    const registered = await useCases.register.execute(
      { email: 'pw-rollback@example.com', password: 'correct horse battery', firstName: 'P', lastName: 'R' },
      NO_REQUEST_CONTEXT,
    );
    const other = await useCases.logIn.execute({ email: 'pw-rollback@example.com', password: 'correct horse battery' }, NO_REQUEST_CONTEXT);
    if (isMfaChallenge(other)) throw new Error('no MFA for this user');
    failOutbox = true;
    const principal = {
      userId: registered.user.id,
      sessionId: registered.session.id,
      email: registered.user.email,
      role: registered.user.role,
      aal: 1 as const,
    };
    await expect(
      useCases.changePassword.execute(
        principal,
        { currentPassword: 'correct horse battery', newPassword: 'another good passphrase' },
        NO_REQUEST_CONTEXT,
      ),
    ).rejects.toThrow();
    failOutbox = false;
    await expect(
      useCases.logIn.execute({ email: 'pw-rollback@example.com', password: 'correct horse battery' }, NO_REQUEST_CONTEXT),
    ).resolves.toBeDefined();
    expect((await rows.one(sessions, { id: other.session.id })).revokedAt).toBeNull();
  });
});
