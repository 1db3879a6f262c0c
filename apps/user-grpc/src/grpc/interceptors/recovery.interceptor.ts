import { Metadata, ServerInterceptingCall, status as Status, type ServerInterceptor } from '@grpc/grpc-js';
import { runWithLogContext, type Logger } from '@pandora/observability';
import { rpcContextOf, type RpcContext } from '../rpc-context';
import { ERROR_CODE_KEY, INTERNAL_MESSAGE } from '../status-mapping';

/**
 * Last line of defence against leaking internals. Our handlers map every error themselves (see
 * unary-handler.ts), so this only ever acts on statuses produced elsewhere — grpc-js answering
 * UNKNOWN for a handler that threw, or a library service failing: their details may quote an
 * exception, so they are logged here and replaced by the generic INTERNAL answer.
 */
export function recoveryInterceptor(logger: Logger): ServerInterceptor {
  return (descriptor, call) => {
    // The error line must carry the call's request and trace ids, or nobody can tie it to the call.
    let rpc: RpcContext | undefined;
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            rpc = rpcContextOf(metadata);
            nextMetadata(metadata);
          },
        }),
      sendStatus: (status, next) => {
        const leaks = status.code === Status.UNKNOWN || (status.code === Status.INTERNAL && status.details !== INTERNAL_MESSAGE);
        if (!leaks) {
          next(status);
          return;
        }
        runWithLogContext({ ...rpc?.log }, () =>
          logger.error('grpc call failed outside the error mapping', {
            grpc_method: descriptor.path.replace(/^\//, ''),
            grpc_code: Status[status.code],
            details: status.details,
          }),
        );
        const metadata = new Metadata();
        metadata.set(ERROR_CODE_KEY, 'INTERNAL_ERROR');
        next({ code: Status.INTERNAL, details: INTERNAL_MESSAGE, metadata });
      },
    });
  };
}
