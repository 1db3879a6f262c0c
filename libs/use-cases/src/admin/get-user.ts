import { AppError } from '@pandora/errors';
import { normalizeEmail } from '@pandora/domain';
import type { User } from '@pandora/domain';
import type { Ports } from '../ports';
import { withLoginLock, type AdminUser, type AdminUserViewPorts } from './admin-user';

export type GetUserPorts = Pick<Ports, 'repositories' | 'userReads'>;

/** One user by id: deleted users are visible only where the caller asks for them (admin API). */
export class GetUser {
  constructor(private readonly deps: GetUserPorts) {}

  async execute(userId: string, options: { includeDeleted: boolean }): Promise<User> {
    const user = await this.deps.userReads.findById(userId, options);
    if (!user) throw new AppError('USER_NOT_FOUND');
    return user;
  }
}

/** The active account with this email, compared case-insensitively. */
export class GetUserByEmail {
  constructor(private readonly deps: GetUserPorts) {}

  async execute(email: string): Promise<User> {
    const user = await this.deps.repositories.users.findByEmail(normalizeEmail(email));
    if (!user) throw new AppError('USER_NOT_FOUND');
    return user;
  }
}

export type GetAdminUserPorts = GetUserPorts & AdminUserViewPorts;

/** GET /admin/users/:id: any user, deleted ones included, with its login lock. */
export class GetAdminUser {
  private readonly getUser: GetUser;

  constructor(private readonly deps: GetAdminUserPorts) {
    this.getUser = new GetUser(deps);
  }

  async execute(userId: string): Promise<AdminUser> {
    return withLoginLock(this.deps, await this.getUser.execute(userId, { includeDeleted: true }));
  }
}
