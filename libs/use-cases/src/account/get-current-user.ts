import { AppError } from '@pandora/errors';
import type { User } from '@pandora/domain';
import type { Principal } from '@pandora/domain';
import type { Ports } from '../ports';

export type GetCurrentUserPorts = Pick<Ports, 'userReads'>;

export class GetCurrentUser {
  constructor(private readonly deps: GetCurrentUserPorts) {}

  async execute(principal: Principal): Promise<User> {
    const user = await this.deps.userReads.findById(principal.userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    return user;
  }
}
