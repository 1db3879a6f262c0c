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
import { VerifyMfaChallenge } from './auth/verify-mfa-challenge';
import { ChangeKycStatus } from './kyc/change-kyc-status';
import { ConfirmTotpSetup } from './mfa/confirm-totp-setup';
import { DisableMfa } from './mfa/disable-mfa';
import { GetMfaStatus } from './mfa/get-mfa-status';
import { RegenerateRecoveryCodes } from './mfa/regenerate-recovery-codes';
import { ResetUserMfa } from './mfa/reset-user-mfa';
import { StartTotpSetup } from './mfa/start-totp-setup';
import { ListSessions } from './sessions/list-sessions';
import { LogOut } from './sessions/log-out';
import { LogOutEverywhere } from './sessions/log-out-everywhere';
import { RevokeOwnSession } from './sessions/revoke-session';
import type { UseCaseDeps } from './use-case-deps';

/** Every use case, wired to one set of ports. Transports call these and nothing below them. */
export function createUseCases(deps: UseCaseDeps) {
  return {
    register: new RegisterUser(deps),
    logIn: new LogIn(deps),
    logInAsAdmin: new LogIn(deps, { requiredRole: 'admin' }),
    verifyMfa: new VerifyMfaChallenge(deps),
    verifyMfaAsAdmin: new VerifyMfaChallenge(deps, { requiredRole: 'admin' }),
    refresh: new RefreshSession(deps),
    authenticate: new Authenticate(deps),
    getCurrentUser: new GetCurrentUser(deps),
    updateProfile: new UpdateProfile(deps),
    changePassword: new ChangePassword(deps),
    deleteUser: new DeleteUser(deps),
    changeKycStatus: new ChangeKycStatus(deps),
    listSessions: new ListSessions(deps),
    revokeOwnSession: new RevokeOwnSession(deps),
    logOut: new LogOut(deps),
    logOutEverywhere: new LogOutEverywhere(deps),
    listUsers: new ListUsers(deps),
    getUser: new GetUser(deps),
    getUserByEmail: new GetUserByEmail(deps),
    changeRole: new ChangeRole(deps),
    listUserSessions: new ListUserSessions(deps),
    revokeUserSessions: new RevokeUserSessions(deps),
    queryAuditLog: new QueryAuditLog(deps),
    getStatistics: new GetStatistics(deps),
    bootstrapAdmin: new BootstrapAdmin(deps),
    unlockLogin: new UnlockLogin(deps),
    getLoginLocks: new GetLoginLocks(deps),
    getMfaStatus: new GetMfaStatus(deps),
    startTotpSetup: new StartTotpSetup(deps),
    confirmTotpSetup: new ConfirmTotpSetup(deps),
    regenerateRecoveryCodes: new RegenerateRecoveryCodes(deps),
    disableMfa: new DisableMfa(deps),
    resetUserMfa: new ResetUserMfa(deps),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
