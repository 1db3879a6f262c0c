import type { ServiceUseCases } from '@pandora/use-cases';
import type { UserServiceServer } from '@pandora/grpc-contract';
import type { Logger } from '@pandora/observability';
import { emailRequestSchema, listUsersRequestSchema, parseRequest, updateKycRequestSchema, userIdRequestSchema } from './request-schemas';
import { requestContextOf } from './rpc-context';
import { unaryHandler } from './unary-handler';
import { toUserMessage } from './user-message';

/** pandora.user.v1.UserService: each RPC is parse → one use case → message (docs/grpc.md#the-rpcs). */
export function userServiceHandlers(useCases: ServiceUseCases, logger: Logger): UserServiceServer {
  return {
    getUser: unaryHandler(logger, async (request) => {
      const { user_id } = parseRequest(userIdRequestSchema, { user_id: request.userId });
      return { user: toUserMessage(await useCases.getUser.execute(user_id, { includeDeleted: false })) };
    }),

    getUserByEmail: unaryHandler(logger, async (request) => {
      const { email } = parseRequest(emailRequestSchema, { email: request.email });
      return { user: toUserMessage(await useCases.getUserByEmail.execute(email)) };
    }),

    updateKycStatus: unaryHandler(logger, async (request, rpc) => {
      const input = parseRequest(updateKycRequestSchema, {
        user_id: request.userId,
        kyc_status: request.kycStatus,
        updated_by: request.updatedBy,
      });
      const user = await useCases.changeKycStatus.execute(
        {
          userId: input.user_id,
          status: input.kyc_status,
          as: 'service',
          // The actor is who proved who they are; updated_by is only the caller's word, kept beside it.
          actor: { type: 'service', id: null, identifier: rpc.caller.name },
          actorSessionId: null,
          auditMetadata: {
            caller: rpc.caller.name,
            caller_authentication: rpc.caller.via,
            ...(input.updated_by ? { updated_by: input.updated_by } : {}),
          },
        },
        requestContextOf(rpc),
      );
      return { user: toUserMessage(user) };
    }),

    validateUser: unaryHandler(logger, async (request) => {
      const { user_id } = parseRequest(userIdRequestSchema, { user_id: request.userId });
      const validity = await useCases.validateUser.execute(user_id);
      return {
        isValid: validity.isValid,
        isActive: validity.isActive,
        kycStatus: validity.kycStatus ?? '',
        emailVerified: validity.emailVerified,
        mfaEnabled: validity.mfaEnabled,
        securityChangedAt: validity.securityChangedAt ?? undefined,
      };
    }),

    listUsers: unaryHandler(logger, async (request) => {
      const page = parseRequest(listUsersRequestSchema, { limit: request.limit, offset: request.offset });
      const { users, total } = await useCases.listUsers.execute({ includeDeleted: false, limit: page.limit, offset: page.offset });
      return { users: users.map(toUserMessage), total };
    }),
  };
}
