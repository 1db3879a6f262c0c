import { randomUUID } from 'node:crypto';
import type { NewUser } from '@pandora/domain';
import { createRepositories, type Database } from '../../src';

/** The form of a real Argon2id hash; no test here logs in, so no password belongs to it. */
export const PASSWORD_HASH = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';

/** A new account whose address no other account of the database has, unless `overrides` gives one. */
export function newUser(overrides: Partial<NewUser> = {}): NewUser {
  const id = randomUUID();
  return {
    id,
    email: `user.${id.slice(0, 8)}@example.com`,
    passwordHash: PASSWORD_HASH,
    firstName: 'Ada',
    lastName: 'Lovelace',
    role: 'user',
    createdAt: new Date(),
    ...overrides,
  };
}

/** Given an account (committed at once): its id. */
export async function seedUser(database: Database): Promise<string> {
  return (await createRepositories(database).users.create(newUser())).id;
}
