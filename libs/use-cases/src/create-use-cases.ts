import { ChangePassword } from './account/change-password';
import { DeleteOwnAccount } from './account/delete-own-account';
import { DeleteUser } from './account/delete-user';
import { GetCurrentUser } from './account/get-current-user';
import { SetAntiPhishingCode } from './account/set-anti-phishing-code';
import { UpdateProfile } from './account/update-profile';
import { BootstrapAdmin } from './admin/bootstrap-admin';
import { ChangeKycStatusAsAdmin } from './admin/change-kyc-status-as-admin';
import { ChangeRole } from './admin/change-role';
import { DeleteUserAsAdmin } from './admin/delete-user-as-admin';
import { GetStatistics } from './admin/get-statistics';
import { GetAdminUser } from './admin/get-user';
import { ListAdminUsers } from './admin/list-users';
import { QueryAuditLog } from './admin/query-audit-log';
import { UnlockLogin } from './admin/unlock-login';
import { ListUserSessions, RevokeUserSessions } from './admin/user-sessions';
import { Authenticate } from './auth/authenticate';
import { LogIn } from './auth/log-in';
import { RefreshSession } from './auth/refresh-session';
import { RegisterUser } from './auth/register-user';
import { VerifyMfaChallenge } from './auth/verify-mfa-challenge';
import { FreezeAccount } from './freeze/freeze-account';
import { UnfreezeAccount } from './freeze/unfreeze-account';
import { ConfirmEmailChange } from './email/confirm-email-change';
import { RequestEmailChange } from './email/request-email-change';
import { RequestEmailVerification } from './email/request-email-verification';
import { VerifyEmail } from './email/verify-email';
import { ChangeKycStatus } from './kyc/change-kyc-status';
import { ChangeOwnKycStatus } from './kyc/change-own-kyc-status';
import { ConfirmTotpSetup } from './mfa/confirm-totp-setup';
import { DisableMfa } from './mfa/disable-mfa';
import { GetMfaStatus } from './mfa/get-mfa-status';
import { RegenerateRecoveryCodes } from './mfa/regenerate-recovery-codes';
import { ResetUserMfa } from './mfa/reset-user-mfa';
import { StartTotpSetup } from './mfa/start-totp-setup';
import type { Ports } from './ports';
import { RequestPasswordReset } from './recovery/request-password-reset';
import { ResetPassword } from './recovery/reset-password';
import { ListSessions } from './sessions/list-sessions';
import { LogOut } from './sessions/log-out';
import { LogOutEverywhere } from './sessions/log-out-everywhere';
import { RevokeOwnSession } from './sessions/revoke-session';

/**
 * Every use case of user-api, wired to one set of ports: each constructor takes the share it names
 * (its `<UseCase>Ports` type). Transports call these and nothing below them; a route calls one.
 */
export function createUseCases(ports: Ports) {
  return {
    // Anyone
    register: new RegisterUser(ports),
    logIn: new LogIn(ports),
    logInAsAdmin: new LogIn(ports, { requiredRole: 'admin' }),
    verifyMfa: new VerifyMfaChallenge(ports),
    verifyMfaAsAdmin: new VerifyMfaChallenge(ports, { requiredRole: 'admin' }),
    refresh: new RefreshSession(ports),
    authenticate: new Authenticate(ports),
    freezeAccount: new FreezeAccount(ports),
    // Anyone holding a mailed link, or asking for one
    verifyEmail: new VerifyEmail(ports),
    requestPasswordReset: new RequestPasswordReset(ports),
    resetPassword: new ResetPassword(ports),
    confirmEmailChange: new ConfirmEmailChange(ports),
    // The signed-in user, on their own account
    getCurrentUser: new GetCurrentUser(ports),
    updateProfile: new UpdateProfile(ports),
    changePassword: new ChangePassword(ports),
    requestEmailVerification: new RequestEmailVerification(ports),
    requestEmailChange: new RequestEmailChange(ports),
    deleteOwnAccount: new DeleteOwnAccount(ports),
    changeOwnKycStatus: new ChangeOwnKycStatus(ports),
    listSessions: new ListSessions(ports),
    revokeOwnSession: new RevokeOwnSession(ports),
    logOut: new LogOut(ports),
    logOutEverywhere: new LogOutEverywhere(ports),
    setAntiPhishingCode: new SetAntiPhishingCode(ports),
    // The signed-in user's second factor
    getMfaStatus: new GetMfaStatus(ports),
    startTotpSetup: new StartTotpSetup(ports),
    confirmTotpSetup: new ConfirmTotpSetup(ports),
    regenerateRecoveryCodes: new RegenerateRecoveryCodes(ports),
    disableMfa: new DisableMfa(ports),
    // The admin API: the signed-in administrator is the actor; users come back as AdminUser views
    listAdminUsers: new ListAdminUsers(ports),
    getAdminUser: new GetAdminUser(ports),
    changeKycStatusAsAdmin: new ChangeKycStatusAsAdmin(ports),
    changeRole: new ChangeRole(ports),
    deleteUserAsAdmin: new DeleteUserAsAdmin(ports),
    unlockLogin: new UnlockLogin(ports),
    resetUserMfa: new ResetUserMfa(ports),
    unfreezeAccount: new UnfreezeAccount(ports),
    listUserSessions: new ListUserSessions(ports),
    revokeUserSessions: new RevokeUserSessions(ports),
    queryAuditLog: new QueryAuditLog(ports),
    getStatistics: new GetStatistics(ports),
    // Any actor, named by the caller: tests and tools that act without a signed-in principal
    changeKycStatus: new ChangeKycStatus(ports),
    deleteUser: new DeleteUser(ports),
    // admin:create
    bootstrapAdmin: new BootstrapAdmin(ports),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
