import type { Principal, RequestContext } from '@pandora/domain';
import { DeleteUser, type DeleteUserPorts } from '../account/delete-user';
import { actorOf } from '../actors';

/** DELETE /admin/users/:id, by the signed-in administrator (never their own account). */
export class DeleteUserAsAdmin {
  private readonly deleteUser: DeleteUser;

  constructor(deps: DeleteUserPorts) {
    this.deleteUser = new DeleteUser(deps);
  }

  execute(admin: Principal, input: { userId: string }, ctx: RequestContext): Promise<void> {
    return this.deleteUser.execute({ userId: input.userId, actor: actorOf(admin, 'admin'), actorSessionId: admin.sessionId }, ctx);
  }
}
