import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import { HEALTH_SERVICE_NAME } from '@pandora/grpc-contract';
import type { Logger } from '@pandora/observability';
import type { CallerAuthenticator } from '../caller-authenticator';
import { rpcContextOf } from '../rpc-context';
import { toGrpcStatus } from '../status-mapping';

/** Health checks are answered to anyone: probes and load balancers hold no credentials. */
const UNAUTHENTICATED_PREFIXES = [`/${HEALTH_SERVICE_NAME}/`];

/**
 * Caller authentication before any handler runs (docs/grpc.md#caller-authentication). A refused call ends here with
 * UNAUTHENTICATED; an accepted one carries its caller in the RPC context, and the credential is
 * removed from the metadata so no handler ever holds it.
 */
export function authenticateInterceptor(authenticator: CallerAuthenticator, logger: Logger): ServerInterceptor {
  return (descriptor, call) => {
    if (UNAUTHENTICATED_PREFIXES.some((prefix) => descriptor.path.startsWith(prefix))) return new ServerInterceptingCall(call);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const outcome = authenticator.authenticate(metadata, call.getAuthContext());
            const rpc = rpcContextOf(metadata);
            if ('error' in outcome) {
              logger.security('grpc_caller_rejected', {
                grpc_method: descriptor.path.slice(1),
                reason: outcome.reason,
                peer: rpc?.ipAddress ?? undefined,
                request_id: rpc?.requestId,
              });
              call.sendStatus(toGrpcStatus(outcome.error).status);
              return;
            }
            if (rpc) rpc.caller = outcome.caller;
            metadata.remove('authorization');
            nextMetadata(metadata);
          },
        }),
    });
  };
}
