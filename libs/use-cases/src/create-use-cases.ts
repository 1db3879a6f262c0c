import { ChangePassword } from './account/change-password';
import { DeleteUser } from './account/delete-user';
import { GetCurrentUser } from './account/get-current-user';
import { UpdateProfile } from './account/update-profile';
import { BootstrapAdmin } from './admin/bootstrap-admin';
import { ChangeRole } from './admin/change-role';
import { GetStatistics } from './admin/get-statistics';
import { GetUser, GetUserByEmail } from './admin/get-user';
import { ListUsers } from './admin/list-users';
import { QueryAuditLog } from './admin/query-audit-log';
import { GetLoginLocks, UnlockLogin } from './admin/unlock-login';
import { ListUserSessions, RevokeUserSessions } from './admin/user-sessions';
import { Authenticate } from './auth/authenticate';
import { LogIn } from './auth/log-in';
import { RefreshSession } from './auth/refresh-session';
import { RegisterUser } from './auth/register-user';
import { ChangeKycStatus } from './kyc/change-kyc-status';
import { ListSessions } from './sessions/list-sessions';
import { LogOut } from './sessions/log-out';
import { LogOutEverywhere } from './sessions/log-out-everywhere';
import { RevokeOwnSession } from './sessions/revoke-session';
import type { Ports } from './ports';

/**
 * Every use case of user-api, wired to one set of ports: each constructor takes the share it names
 * (its `<UseCase>Ports` type). Transports call these and nothing below them.
 */
export function createUseCases(ports: Ports) {
  return {
    register: new RegisterUser(ports),
    logIn: new LogIn(ports),
    logInAsAdmin: new LogIn(ports, { requiredRole: 'admin' }),
    refresh: new RefreshSession(ports),
    authenticate: new Authenticate(ports),
    getCurrentUser: new GetCurrentUser(ports),
    updateProfile: new UpdateProfile(ports),
    changePassword: new ChangePassword(ports),
    deleteUser: new DeleteUser(ports),
    changeKycStatus: new ChangeKycStatus(ports),
    listSessions: new ListSessions(ports),
    revokeOwnSession: new RevokeOwnSession(ports),
    logOut: new LogOut(ports),
    logOutEverywhere: new LogOutEverywhere(ports),
    listUsers: new ListUsers(ports),
    getUser: new GetUser(ports),
    getUserByEmail: new GetUserByEmail(ports),
    changeRole: new ChangeRole(ports),
    listUserSessions: new ListUserSessions(ports),
    revokeUserSessions: new RevokeUserSessions(ports),
    queryAuditLog: new QueryAuditLog(ports),
    getStatistics: new GetStatistics(ports),
    bootstrapAdmin: new BootstrapAdmin(ports),
    unlockLogin: new UnlockLogin(ports),
    getLoginLocks: new GetLoginLocks(ports),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
