import { randomUUID } from 'node:crypto';
import type { AuditEntry, DomainEvent } from '@pandora/domain';

/** How many rows of `table` have `column` = `value`. */
async function count(table: 'users' | 'audit_logs' | 'outbox_events', column: string, value: string): Promise<number> {
  const { rows } = await postgres.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1::uuid`, [
    value,
  ]);
  return rows[0]?.n ?? -1;
}
import { createRepositories, Database, PgUnitOfWork } from '../src';
import { useSuiteDatabase } from './support/suite-database';
import { newUser } from './support/users';

const postgres = useSuiteDatabase({ applicationName: 'data-access-tests', poolMax: 3 });

const auditFor = (userId: string): AuditEntry => ({
  id: randomUUID(),
  eventType: 'user.registered',
  eventCategory: 'user',
  severity: 'info',
  userId,
  actorType: 'user',
  actorIdentifier: null,
  action: 'register',
  resourceType: 'user',
  resourceId: userId,
  ipAddress: null,
  userAgent: null,
  requestId: 'req-1',
  sessionId: null,
  metadata: null,
  previousState: null,
  newState: { role: 'user' },
  status: 'success',
  failureReason: null,
  retentionUntil: new Date(Date.now() + 86_400_000),
  isSensitive: false,
  createdAt: new Date(),
});

const eventFor = (userId: string, email: string): DomainEvent => ({
  id: randomUUID(),
  type: 'user.registered',
  userId,
  occurredAt: new Date(),
  payload: { email, first_name: 'Ada', last_name: 'Lovelace', role: 'user' },
  metadata: { request_id: 'req-1' },
});

describe('unit of work', () => {
  it('commits the state change, the audit row and the outbox event together', async () => {
    const user = newUser();
    await postgres.uow.run(async (repositories) => {
      await repositories.users.create(user);
      await repositories.audit.append(auditFor(user.id));
      await repositories.outbox.append(eventFor(user.id, user.email));
    });
    expect(await count('users', 'id', user.id)).toBe(1);
    expect(await count('audit_logs', 'user_id', user.id)).toBe(1);
    expect(await count('outbox_events', 'aggregate_id', user.id)).toBe(1);
  });

  it('rolls back the audit row and the outbox event when a step after them fails', async () => {
    const user = newUser();
    await expect(
      postgres.uow.run(async (repositories) => {
        await repositories.users.create(user);
        await repositories.audit.append(auditFor(user.id));
        await repositories.outbox.append(eventFor(user.id, user.email));
        throw new Error('the next step failed');
      }),
    ).rejects.toThrow('the next step failed');
    expect(await count('users', 'id', user.id)).toBe(0);
    expect(await count('audit_logs', 'user_id', user.id)).toBe(0);
    expect(await count('outbox_events', 'aggregate_id', user.id)).toBe(0);
  });

  it('rolls back everything when the database refuses a later write', async () => {
    const user = newUser();
    await expect(
      postgres.uow.run(async (repositories) => {
        await repositories.users.create(user);
        await repositories.outbox.append(eventFor(user.id, user.email));
        await repositories.audit.append({ ...auditFor(user.id), eventType: 'x'.repeat(500) });
      }),
    ).rejects.toThrow();
    expect(await count('users', 'id', user.id)).toBe(0);
    expect(await count('outbox_events', 'aggregate_id', user.id)).toBe(0);
  });
});

describe('a transaction in pipeline mode', () => {
  /** Counts what the connections of `target` hand to their sockets (messages corked together are one write). */
  function countSocketWrites(target: Database): { writes: number } {
    const counter = { writes: 0 };
    target.pool.on('connect', (client) => {
      type Write = (...args: unknown[]) => unknown;
      const stream = (client as unknown as { connection: { stream: Record<'_write' | '_writev', Write> } }).connection.stream;
      for (const method of ['_write', '_writev'] as const) {
        const original = stream[method].bind(stream);
        stream[method] = (...args: unknown[]) => {
          counter.writes++;
          return original(...args);
        };
      }
    });
    return counter;
  }

  const sessionOf = (userId: string, now: Date) => {
    const later = new Date(now.getTime() + 3_600_000);
    return [
      { id: randomUUID(), userId, ipAddress: null, userAgent: null, createdAt: now, expiresAt: later, absoluteExpiresAt: later },
      { id: randomUUID(), tokenHash: randomUUID().replace(/-/g, '').padEnd(64, '0'), createdAt: now, expiresAt: later },
    ] as const;
  };

  it('sends BEGIN and the session with the device check, the audit row and event with the COMMIT: a login is two round trips', async () => {
    const counted = new Database({ url: postgres.db.url, poolMax: 1, applicationName: 'data-access-round-trips' });
    try {
      const counter = countSocketWrites(counted);
      const user = newUser();
      await createRepositories(counted).users.create(user); // opens the connection: its start-up is not counted
      counter.writes = 0;
      const now = new Date();
      const previousSighting = await new PgUnitOfWork(counted).run(async (repositories) => {
        await repositories.sessions.create(...sessionOf(user.id, now));
        const seen = await repositories.loginDevices.record(user.id, { browser: 'Firefox', os: 'Linux', network: '192.0.2.0/24' }, now);
        await repositories.audit.append(auditFor(user.id));
        await repositories.outbox.append(eventFor(user.id, user.email));
        return seen;
      });
      expect({ writes: counter.writes, previousSighting }).toEqual({ writes: 2, previousSighting: null });
      expect(await count('audit_logs', 'user_id', user.id)).toBe(1);
      expect(await count('outbox_events', 'aggregate_id', user.id)).toBe(1);
    } finally {
      await counted.close();
    }
  });

  it('sends nothing at all for work that fails before its first statement', async () => {
    const counted = new Database({ url: postgres.db.url, poolMax: 1, applicationName: 'data-access-round-trips' });
    try {
      const counter = countSocketWrites(counted);
      await counted.query('SELECT 1'); // opens the connection: its start-up is not counted
      counter.writes = 0;
      const refused = new PgUnitOfWork(counted).run(async (repositories) => {
        await repositories.audit.append(auditFor(randomUUID()));
        throw new Error('refused before any statement');
      });
      await expect(refused).rejects.toThrow('refused before any statement');
      expect(counter.writes).toBe(0);
      // The connection is as good as before: the next transaction on it commits.
      const user = newUser();
      await new PgUnitOfWork(counted).run((repositories) => repositories.users.create(user));
      expect(await count('users', 'id', user.id)).toBe(1);
    } finally {
      await counted.close();
    }
  });

  it('runs a held write before the next statement, which sees its row', async () => {
    const user = newUser();
    const audit = auditFor(user.id);
    const seen = await postgres.uow.run(async (repositories) => {
      await repositories.users.create(user);
      await repositories.audit.append(audit);
      return (await repositories.auditTrail.query({ userId: user.id, limit: 10 })).map((entry) => entry.id);
    });
    expect(seen).toEqual([audit.id]);
  });

  it('fails the next statement with the held write’s own error, not the "transaction is aborted" that follows it', async () => {
    const user = newUser();
    const outcome = postgres.uow.run(async (repositories) => {
      await repositories.users.create(user);
      await repositories.audit.append({ ...auditFor(user.id), eventType: 'x'.repeat(500) });
      await repositories.users.findById(user.id);
    });
    await expect(outcome).rejects.toThrow(/value too long/);
    expect(await count('users', 'id', user.id)).toBe(0);
  });

  it('fails the commit with the error of a write held until then, and commits nothing', async () => {
    const user = newUser();
    const outcome = postgres.uow.run(async (repositories) => {
      await repositories.users.create(user);
      await repositories.outbox.append(eventFor(user.id, user.email));
      await repositories.audit.append({ ...auditFor(user.id), eventType: 'x'.repeat(500) });
    });
    await expect(outcome).rejects.toThrow(/value too long/);
    expect(await count('users', 'id', user.id)).toBe(0);
    expect(await count('outbox_events', 'aggregate_id', user.id)).toBe(0);
    // The connection went back to the pool usable: the next transaction on it commits.
    await postgres.uow.run((repositories) => repositories.users.create(user));
    expect(await count('users', 'id', user.id)).toBe(1);
  });
});

describe('user repository', () => {
  const repositories = () => createRepositories(postgres.database);

  it('keeps emails unique among active accounts only', async () => {
    const first = newUser();
    await repositories().users.create(first);
    await expect(repositories().users.create({ ...newUser({ email: first.email }) })).rejects.toMatchObject({
      code: 'USER_ALREADY_EXISTS',
    });
    await repositories().users.softDelete(first.id, new Date());
    await expect(repositories().users.create({ ...newUser({ email: first.email }) })).resolves.toMatchObject({ email: first.email });
    expect(await repositories().users.findById(first.id)).toBeNull();
    expect(await repositories().users.findById(first.id, { includeDeleted: true })).toMatchObject({ id: first.id });
  });

  it('refuses a non-normalised email at the database level too', async () => {
    await expect(repositories().users.create(newUser({ email: 'Mixed.Case@Example.com' }))).rejects.toThrow(/users_email_lowercase_check/);
  });
});

describe('session repository', () => {
  it('revokes only sessions that are still active and reports exactly those', async () => {
    const user = newUser();
    const repos = createRepositories(postgres.database);
    await repos.users.create(user);
    const now = new Date();
    const later = new Date(now.getTime() + 3_600_000);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) {
      await repos.sessions.create(
        { id, userId: user.id, ipAddress: null, userAgent: null, createdAt: now, expiresAt: later, absoluteExpiresAt: later },
        { id: randomUUID(), tokenHash: randomUUID().replace(/-/g, '').padEnd(64, '0'), createdAt: now, expiresAt: later },
      );
    }
    expect(await repos.sessions.revoke([ids[0] as string], 'logout', now)).toEqual([ids[0]]);
    expect(await repos.sessions.revoke([ids[0] as string], 'logout', now)).toEqual([]);
    expect(await repos.sessions.revokeAllForUser(user.id, 'logout_all', now, { exceptSessionId: ids[2] as string })).toEqual([ids[1]]);
    expect((await repos.sessions.listActive(user.id, now)).map((session) => session.id)).toEqual([ids[2]]);
    expect(await repos.sessions.findById(ids[0] as string)).toMatchObject({ userId: user.id, revokedAt: now });
  });
});
