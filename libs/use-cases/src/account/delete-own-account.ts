import type { Principal, RequestContext } from '@pandora/domain';
import { actorOf } from '../actors';
import { DeleteUser, type DeleteUserPorts } from './delete-user';

/** DELETE /users/me: the signed-in user deletes their own account. */
export class DeleteOwnAccount {
  private readonly deleteUser: DeleteUser;

  constructor(deps: DeleteUserPorts) {
    this.deleteUser = new DeleteUser(deps);
  }

  execute(principal: Principal, ctx: RequestContext): Promise<void> {
    return this.deleteUser.execute(
      { userId: principal.userId, actor: actorOf(principal, 'user'), actorSessionId: principal.sessionId },
      ctx,
    );
  }
}
