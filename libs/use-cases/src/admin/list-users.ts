import { AppError } from '@pandora/errors';
import type { User } from '@pandora/domain';
import type { UserSearch } from '@pandora/domain';
import type { Ports } from '../ports';
import { withLoginLocks, type AdminUser, type AdminUserViewPorts } from './admin-user';

export const MAX_PAGE_SIZE = 100;

export type ListUsersPorts = Pick<Ports, 'repositories'>;

/** Paged user search for the admin API and gRPC ListUsers (newest first, with the total). */
export class ListUsers {
  constructor(private readonly deps: ListUsersPorts) {}

  async execute(search: UserSearch): Promise<{ users: User[]; total: number }> {
    if (!Number.isInteger(search.limit) || search.limit < 1 || search.limit > MAX_PAGE_SIZE) {
      throw AppError.invalidInput([{ field: 'limit', message: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
    }
    if (!Number.isInteger(search.offset) || search.offset < 0) {
      throw AppError.invalidInput([{ field: 'offset', message: 'must be 0 or more' }]);
    }
    return this.deps.repositories.users.search(search);
  }
}

export type ListAdminUsersPorts = ListUsersPorts & AdminUserViewPorts;

/** GET /admin/users: the search, each user with its login lock. */
export class ListAdminUsers {
  private readonly listUsers: ListUsers;

  constructor(private readonly deps: ListAdminUsersPorts) {
    this.listUsers = new ListUsers(deps);
  }

  async execute(search: UserSearch): Promise<{ users: AdminUser[]; total: number }> {
    const { users, total } = await this.listUsers.execute(search);
    return { users: await withLoginLocks(this.deps, users), total };
  }
}
