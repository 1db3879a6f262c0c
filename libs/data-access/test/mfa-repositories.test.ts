import { randomBytes, randomUUID } from 'node:crypto';
import type { Repositories } from '@pandora/domain';
import { createRepositories } from '../src';
import { useSuiteDatabase } from './support/suite-database';
import { newUser } from './support/users';

/**
 * The two single-use guards of MFA, with transactions interleaved on purpose: the second
 * transaction's statement is provably waiting on the first's row lock before the first ends.
 */
const postgres = useSuiteDatabase({ applicationName: 'mfa-repository-tests', poolMax: 4 });

async function seedMfaUser(): Promise<string> {
  const repositories = createRepositories(postgres.database);
  const { id } = await repositories.users.create(newUser());
  const sealed = { ciphertext: randomBytes(36), nonce: randomBytes(12), keyId: 'k1' };
  await repositories.mfa.savePending(id, sealed, new Date());
  await repositories.mfa.confirm(id, sealed, new Date());
  return id;
}

/** Until a statement of this database waits for a lock (the interleaving the test needs). */
async function untilBlocked(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await postgres.database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error('the second transaction never waited for the first');
    await new Promise((resolve) => setTimeout(resolve, 10)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
}

/**
 * Runs `first` in a transaction kept open until `second` (another transaction) is blocked on it,
 * then ends the first (commit, or rollback by throwing) and returns both results.
 */
async function interleaved<A, B>(
  first: (repositories: Repositories) => Promise<A>,
  second: (repositories: Repositories) => Promise<B>,
  outcome: 'commit' | 'rollback',
): Promise<[A | 'rolled back', B]> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const firstDone = new Promise<void>((resolve) => (started = resolve));
  const firstTx = postgres.uow
    .run(async (repositories) => {
      const result = await first(repositories);
      started();
      await held;
      if (outcome === 'rollback') throw new Error('rolled back on purpose');
      return result;
    })
    .catch((error: Error) => {
      if (error.message !== 'rolled back on purpose') throw error;
      return 'rolled back' as const;
    });
  await firstDone;
  const secondTx = postgres.uow.run(second);
  await untilBlocked();
  release();
  return Promise.all([firstTx, secondTx]);
}

describe('UserMfaRepository.advanceStep (the TOTP replay guard)', () => {
  it('lets exactly one of two concurrent transactions accept a step; the second sees the committed step', async () => {
    const userId = await seedMfaUser();
    const [first, second] = await interleaved(
      (repositories) => repositories.mfa.advanceStep(userId, 100),
      (repositories) => repositories.mfa.advanceStep(userId, 100),
      'commit',
    );
    expect([first, second]).toEqual([true, false]);
    expect((await createRepositories(postgres.database).mfa.find(userId))?.lastUsedStep).toBe(100);
  });

  it('gives the step to the waiting transaction when the first rolls back (the change it guarded did not happen)', async () => {
    const userId = await seedMfaUser();
    const [first, second] = await interleaved(
      (repositories) => repositories.mfa.advanceStep(userId, 200),
      (repositories) => repositories.mfa.advanceStep(userId, 200),
      'rollback',
    );
    expect([first, second]).toEqual(['rolled back', true]);
  });

  it('refuses the same step and earlier ones, and takes later ones (steps beyond 2^31 too)', async () => {
    const userId = await seedMfaUser();
    const mfa = createRepositories(postgres.database).mfa;
    expect(await mfa.advanceStep(userId, 3_000_000_000)).toBe(true);
    expect(await mfa.advanceStep(userId, 3_000_000_000)).toBe(false);
    expect(await mfa.advanceStep(userId, 2_999_999_999)).toBe(false);
    expect(await mfa.advanceStep(userId, 3_000_000_001)).toBe(true);
  });
});

describe('RecoveryCodeRepository.consume', () => {
  it('marks a code used for exactly one of two concurrent transactions', async () => {
    const userId = await seedMfaUser();
    const repositories = createRepositories(postgres.database);
    await repositories.recoveryCodes.replaceAll(
      userId,
      [
        { id: randomUUID(), digest: { keyId: 'k1', hash: 'a'.repeat(64) } },
        { id: randomUUID(), digest: { keyId: 'k1', hash: 'b'.repeat(64) } },
      ],
      new Date(),
    );
    const [first, second] = await interleaved(
      (tx) => tx.recoveryCodes.consume(userId, ['a'.repeat(64), 'c'.repeat(64)], new Date()),
      (tx) => tx.recoveryCodes.consume(userId, ['a'.repeat(64)], new Date()),
      'commit',
    );
    expect([first, second]).toEqual([true, false]);
    expect(await repositories.recoveryCodes.countUnused(userId)).toBe(1);
  });

  it('replaces the whole set with the next generation', async () => {
    const userId = await seedMfaUser();
    const repositories = createRepositories(postgres.database);
    await repositories.recoveryCodes.replaceAll(userId, [{ id: randomUUID(), digest: { keyId: 'k1', hash: 'a'.repeat(64) } }], new Date());
    await repositories.recoveryCodes.replaceAll(userId, [{ id: randomUUID(), digest: { keyId: 'k2', hash: 'd'.repeat(64) } }], new Date());
    expect(await repositories.recoveryCodes.consume(userId, ['a'.repeat(64)], new Date())).toBe(false);
    const { rows } = await postgres.database.query('SELECT key_id, generation FROM mfa_recovery_codes WHERE user_id = $1', [userId]);
    expect(rows).toEqual([{ key_id: 'k2', generation: 2 }]);
  });
});

describe('UserMfaRepository', () => {
  it('stores the sealed secret as bytes and reads it back exactly', async () => {
    const userId = await seedMfaUser();
    const repositories = createRepositories(postgres.database);
    const sealed = { ciphertext: randomBytes(40), nonce: randomBytes(12), keyId: 'k2' };
    await repositories.mfa.resealSecret(userId, sealed, new Date());
    const found = await repositories.mfa.find(userId);
    expect(Buffer.from(found?.secret?.ciphertext ?? []).equals(sealed.ciphertext)).toBe(true);
    expect(Buffer.from(found?.secret?.nonce ?? []).equals(sealed.nonce)).toBe(true);
    expect(found).toMatchObject({ secret: { keyId: 'k2' }, pending: null, enabledAt: expect.any(Date) });
    expect(await repositories.mfa.delete(userId)).toBe(true);
    expect(await repositories.mfa.find(userId)).toBeNull();
  });
});
