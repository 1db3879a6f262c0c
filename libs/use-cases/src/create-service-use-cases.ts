import { GetUser, GetUserByEmail } from './admin/get-user';
import { ListUsers } from './admin/list-users';
import { ChangeKycStatus, type ChangeKycStatusDeps } from './kyc/change-kyc-status';
import { ValidateUser } from './service/validate-user';
import type { UseCaseDeps } from './use-case-deps';

/** The ports the internal-service use cases need: no password hasher, tokens or sessions. */
export type ServiceUseCaseDeps = ChangeKycStatusDeps & Pick<UseCaseDeps, 'repositories'>;

/**
 * The use cases internal services call (gRPC, SPEC §11): the same classes the REST API runs, so a
 * KYC change writes the same audit row and event whichever door it came through.
 */
export function createServiceUseCases(deps: ServiceUseCaseDeps) {
  return {
    getUser: new GetUser(deps),
    getUserByEmail: new GetUserByEmail(deps),
    listUsers: new ListUsers(deps),
    changeKycStatus: new ChangeKycStatus(deps),
    validateUser: new ValidateUser(deps),
  };
}

export type ServiceUseCases = ReturnType<typeof createServiceUseCases>;
