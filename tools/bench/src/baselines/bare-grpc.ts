/**
 * Baseline of the grpc_get_user benchmark: a bare grpc-js server with the same generated service
 * definition as user-grpc, whose GetUser answers a fixed user (BARE_USER, the benchmark user as
 * user-grpc returned it) — same serialisation, no interceptors, no database. Every other RPC is
 * UNIMPLEMENTED. Reports its port over IPC once bound.
 */
import { Server, ServerCredentials, status, type sendUnaryData } from '@grpc/grpc-js';
import { UserServiceService, type User, type UserServiceServer } from '@pandora/grpc-contract';

const raw = JSON.parse(process.env.BARE_USER ?? '{}') as Record<string, string>;
const user: User = {
  id: raw.id ?? '',
  email: raw.email ?? '',
  firstName: raw.firstName ?? '',
  lastName: raw.lastName ?? '',
  kycStatus: raw.kycStatus ?? '',
  role: raw.role ?? '',
  createdAt: new Date(raw.createdAt ?? 0),
  updatedAt: new Date(raw.updatedAt ?? 0),
  deletedAt: undefined,
  emailVerified: false,
  mfaEnabled: false,
};

const unimplemented = (_call: unknown, callback: sendUnaryData<never>) =>
  callback({ code: status.UNIMPLEMENTED, details: 'not part of the baseline' });

const implementation: UserServiceServer = {
  getUser: (_call, callback) => callback(null, { user }),
  getUserByEmail: unimplemented,
  updateKycStatus: unimplemented,
  validateUser: unimplemented,
  listUsers: unimplemented,
};
const server = new Server();
server.addService(UserServiceService, implementation);
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.send?.({ port });
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
