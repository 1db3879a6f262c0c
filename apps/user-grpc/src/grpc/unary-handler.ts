import type { handleUnaryCall, ServerErrorResponse, StatusObject } from '@grpc/grpc-js';
import { runWithLogContext, type Logger } from '@pandora/observability';
import { rpcContextOf, type RpcContext } from './rpc-context';
import { deadlineExceeded, toGrpcStatus } from './status-mapping';

export type RpcHandler<Request, Response> = (
  request: Request,
  rpc: RpcContext & { caller: NonNullable<RpcContext['caller']> },
) => Promise<Response>;

function asServiceError(status: StatusObject): Partial<ServerErrorResponse> & StatusObject {
  return { ...status, name: 'RpcError', message: status.details };
}

/**
 * Adapts a use-case call to a grpc-js unary handler: nothing starts once the caller has gone or
 * its deadline has passed; the work runs in the call's log context; every failure — thrown or
 * rejected — becomes a mapped status (status-mapping.ts), and faults are logged with their cause.
 */
export function unaryHandler<Request, Response>(logger: Logger, handle: RpcHandler<Request, Response>): handleUnaryCall<Request, Response> {
  return (call, callback) => {
    const rpc = rpcContextOf(call.metadata);
    const fail = (error: unknown) => {
      const { status, isFault } = toGrpcStatus(error);
      if (isFault) logger.error('grpc call failed', { grpc_method: rpc?.method, error });
      callback(asServiceError(status));
    };
    if (!rpc?.caller) {
      fail(new Error('the call reached its handler without an authenticated caller'));
      return;
    }
    const context = { ...rpc, caller: rpc.caller };
    runWithLogContext({ ...rpc.log }, () => {
      if (call.cancelled) return;
      if (Date.now() >= rpc.deadline) {
        callback(asServiceError(deadlineExceeded()));
        return;
      }
      let pending: Promise<Response>;
      try {
        pending = handle(call.request, context);
      } catch (error) {
        fail(error);
        return;
      }
      pending.then((response) => callback(null, response), fail);
    });
  };
}
