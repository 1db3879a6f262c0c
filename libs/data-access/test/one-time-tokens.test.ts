import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { NewOneTimeToken } from '@pandora/domain';
import { createRepositories } from '../src';
import { TableRows } from '../src/testing';
import { mailMessages } from '../src/lib/tables/mail-messages';
import { useSuiteDatabase } from './support/suite-database';
import { seedUser } from './support/users';

/** The one-time tokens' contract on PostgreSQL: single use under concurrency, supersession, revocation; and queued mail. */
const postgres = useSuiteDatabase({ applicationName: 'one-time-token-tests', poolMax: 8 });

function newToken(userId: string, kind: NewOneTimeToken['kind'] = 'password_reset', lifetimeMs = 60_000) {
  const raw = randomBytes(32).toString('base64url');
  const now = new Date();
  const token: NewOneTimeToken = {
    id: randomUUID(),
    userId,
    kind,
    tokenHash: createHash('sha256').update(raw).digest('hex'),
    email: 'someone@example.com',
    createdAt: now,
    expiresAt: new Date(now.getTime() + lifetimeMs),
  };
  return token;
}

describe('one-time tokens on PostgreSQL', () => {
  it('are used once: of ten parallel consumes exactly one gets the token', async () => {
    const token = newToken(await seedUser(postgres.database));
    await postgres.uow.run((repositories) => repositories.oneTimeTokens.issue(token));
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        postgres.uow.run((repositories) => repositories.oneTimeTokens.consume(token.tokenHash, token.kind, new Date())),
      ),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
    expect(await createRepositories(postgres.database).oneTimeTokens.findLive(token.tokenHash, token.kind, new Date())).toBeNull();
  });

  it('stay usable when the transaction that consumed them rolls back', async () => {
    const token = newToken(await seedUser(postgres.database));
    await postgres.uow.run((repositories) => repositories.oneTimeTokens.issue(token));
    await expect(
      postgres.uow.run(async (repositories) => {
        expect(await repositories.oneTimeTokens.consume(token.tokenHash, token.kind, new Date())).not.toBeNull();
        throw new Error('a later step failed');
      }),
    ).rejects.toThrow('a later step failed');
    expect(await createRepositories(postgres.database).oneTimeTokens.findLive(token.tokenHash, token.kind, new Date())).toMatchObject({
      id: token.id,
    });
  });

  it('are superseded by a newer token of the same kind, not of another kind', async () => {
    const userId = await seedUser(postgres.database);
    const first = newToken(userId);
    const other = newToken(userId, 'email_verification');
    const second = newToken(userId);
    for (const token of [first, other, second]) await postgres.uow.run((repositories) => repositories.oneTimeTokens.issue(token));
    const repositories = createRepositories(postgres.database);
    expect(await repositories.oneTimeTokens.findLive(first.tokenHash, first.kind, new Date())).toBeNull();
    expect(await repositories.oneTimeTokens.findLive(second.tokenHash, second.kind, new Date())).not.toBeNull();
    expect(await repositories.oneTimeTokens.findLive(other.tokenHash, other.kind, new Date())).not.toBeNull();
  });

  it('are refused after they expire and under another kind', async () => {
    const token = newToken(await seedUser(postgres.database), 'email_change', 1_000);
    await postgres.uow.run((repositories) => repositories.oneTimeTokens.issue(token));
    const repositories = createRepositories(postgres.database);
    expect(await repositories.oneTimeTokens.consume(token.tokenHash, 'password_reset', new Date())).toBeNull();
    expect(await repositories.oneTimeTokens.consume(token.tokenHash, token.kind, new Date(token.expiresAt.getTime() + 1))).toBeNull();
  });

  it('die together when revoked, or only the kinds named', async () => {
    const userId = await seedUser(postgres.database);
    const reset = newToken(userId);
    const verify = newToken(userId, 'email_verification');
    for (const token of [reset, verify]) await postgres.uow.run((repositories) => repositories.oneTimeTokens.issue(token));
    const repositories = createRepositories(postgres.database);
    expect(await repositories.oneTimeTokens.revokeAll(userId, new Date(), ['password_reset'])).toBe(1);
    expect(await repositories.oneTimeTokens.findLive(verify.tokenHash, verify.kind, new Date())).not.toBeNull();
    expect(await repositories.oneTimeTokens.revokeAll(userId, new Date())).toBe(1);
    expect(await repositories.oneTimeTokens.findLive(verify.tokenHash, verify.kind, new Date())).toBeNull();
  });

  it('keep every freeze link: newer ones do not supersede them, revoking without kinds spares them, naming the kind kills them', async () => {
    const userId = await seedUser(postgres.database);
    const first = newToken(userId, 'account_freeze');
    const second = newToken(userId, 'account_freeze');
    for (const token of [first, second]) await postgres.uow.run((repositories) => repositories.oneTimeTokens.issue(token));
    const repositories = createRepositories(postgres.database);
    expect(await repositories.oneTimeTokens.revokeAll(userId, new Date())).toBe(0);
    for (const token of [first, second]) {
      expect(await repositories.oneTimeTokens.findLive(token.tokenHash, token.kind, new Date())).not.toBeNull();
    }
    expect(await repositories.oneTimeTokens.revokeAll(userId, new Date(), ['account_freeze'])).toBe(2);
  });
});

describe('queued mail on PostgreSQL', () => {
  it('commits with the transaction that queued it, pending and due at once', async () => {
    const userId = await seedUser(postgres.database);
    const id = randomUUID();
    const createdAt = new Date();
    await postgres.uow.run((repositories) =>
      repositories.mail.enqueue({
        id,
        userId,
        template: 'verify_email',
        recipient: 'a@example.com',
        data: { name: 'Ada' },
        linkToken: 'x',
        createdAt,
      }),
    );
    await expect(
      postgres.uow.run(async (repositories) => {
        await repositories.mail.enqueue({
          id: randomUUID(),
          userId,
          template: 'verify_email',
          recipient: 'b@example.com',
          data: {},
          linkToken: null,
          createdAt,
        });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const tableRows = new TableRows(postgres.db.url);
    const rows = await tableRows.find(mailMessages, { userId });
    await tableRows.db.close();
    expect(rows).toEqual([
      expect.objectContaining({ id, status: 'pending', attempts: 0, linkToken: 'x', data: { name: 'Ada' }, createdAt }),
    ]);
    // Due by the database's clock (the courier's), from the moment the transaction began.
    expect(rows[0]?.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it('copies the account’s anti-phishing code into the message, as it is when the mail is queued', async () => {
    const userId = await seedUser(postgres.database);
    await createRepositories(postgres.database).users.update(userId, { antiPhishingCode: 'Orchid42' }, new Date());
    const id = randomUUID();
    await postgres.uow.run((repositories) =>
      repositories.mail.enqueue({
        id,
        userId,
        template: 'password_changed',
        recipient: 'a@example.com',
        data: { first_name: 'Ada' },
        linkToken: null,
        createdAt: new Date(),
      }),
    );
    const tableRows = new TableRows(postgres.db.url);
    const rows = await tableRows.find(mailMessages, { id });
    await tableRows.db.close();
    expect(rows.map((row) => row.data)).toEqual([{ first_name: 'Ada', anti_phishing_code: 'Orchid42' }]);
  });
});
