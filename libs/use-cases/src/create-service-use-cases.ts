import { GetUser, GetUserByEmail, type GetUserPorts } from './admin/get-user';
import { ListUsers, type ListUsersPorts } from './admin/list-users';
import { ChangeKycStatus, type ChangeKycStatusPorts } from './kyc/change-kyc-status';
import { ValidateUser, type ValidateUserPorts } from './service/validate-user';

/** The ports the internal-service use cases need: no password hasher, tokens, sessions or Redis. */
export type ServicePorts = GetUserPorts & ListUsersPorts & ChangeKycStatusPorts & ValidateUserPorts;

/**
 * The use cases internal services call (gRPC, docs/grpc.md): the same classes the REST API runs, so a
 * KYC change writes the same audit row and event whichever door it came through.
 */
export function createServiceUseCases(ports: ServicePorts) {
  return {
    getUser: new GetUser(ports),
    getUserByEmail: new GetUserByEmail(ports),
    listUsers: new ListUsers(ports),
    changeKycStatus: new ChangeKycStatus(ports),
    validateUser: new ValidateUser(ports),
  };
}

export type ServiceUseCases = ReturnType<typeof createServiceUseCases>;
