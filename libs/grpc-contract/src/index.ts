/**
 * The gRPC contracts of proto/ as TypeScript: messages, the grpc-js service definitions that
 * servers implement, and the clients other services (and tests, and benchmarks) call with.
 * Everything under generated/ comes from `npm run proto:generate`.
 */
export {
  GetUserByEmailRequest,
  GetUserRequest,
  GetUserResponse,
  ListUsersRequest,
  ListUsersResponse,
  UpdateKYCRequest,
  UpdateKYCResponse,
  User,
  UserServiceClient,
  UserServiceService,
  ValidateUserRequest,
  ValidateUserResponse,
  type UserServiceServer,
} from './generated/pandora/user/v1/user_service';
export {
  HealthCheckRequest,
  HealthCheckResponse,
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthClient,
  HealthListRequest,
  HealthListResponse,
  HealthService,
  type HealthServer,
} from './generated/grpc/health/v1/health';
export { fileDescriptorProtos } from './descriptors';

/** Fully qualified service names, as health checks and reflection know them. */
export const USER_SERVICE_NAME = 'pandora.user.v1.UserService';
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';
