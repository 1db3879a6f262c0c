import { Metadata, ServerInterceptingCall, status as Status, type ServerInterceptor } from '@grpc/grpc-js';
import { HEALTH_SERVICE_NAME } from '@pandora/grpc-contract';
import { runWithLogContext, type GrpcServerMetrics, type Logger } from '@pandora/observability';
import { attachRpcContext, createRpcContext, type RpcContext } from '../rpc-context';

const REQUEST_ID_KEY = 'x-request-id';
const HEALTH_PREFIX = `${HEALTH_SERVICE_NAME}/`;
/**
 * A caller whose deadline expires cancels the stream itself, usually a moment before the server's
 * own deadline timer fires (the timeout travels rounded up). A cancellation this close to the
 * deadline is recorded as DEADLINE_EXCEEDED, which is what it is.
 */
const DEADLINE_TOLERANCE_MS = 50;

/**
 * The outermost interceptor: builds the call's context (request id, W3C trace context, peer,
 * deadline) before anything else sees the call, echoes the request id to the caller, and when the
 * call ends — with a status, or cancelled by the caller or its deadline — writes exactly one log
 * line and one metrics sample. Health checks (probes, every few seconds) log at debug level.
 */
export function observeInterceptor(logger: Logger, metrics: GrpcServerMetrics): ServerInterceptor {
  return (descriptor, call) => {
    const method = descriptor.path.replace(/^\//, '');
    const started = process.hrtime.bigint();
    let rpc: RpcContext | undefined;
    let finished = false;

    const finish = (code: Status) => {
      if (finished) return;
      finished = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const grpcCode = Status[code] ?? String(code);
      metrics.record(method, grpcCode, seconds);
      const fields = {
        grpc_method: method,
        grpc_code: grpcCode,
        duration_ms: Math.round(seconds * 1e5) / 100,
        caller: rpc?.caller?.name,
        peer: rpc?.ipAddress ?? undefined,
      };
      runWithLogContext({ ...rpc?.log }, () => {
        if (method.startsWith(HEALTH_PREFIX)) logger.debug('grpc call', fields);
        else logger.info('grpc call', fields);
      });
    };

    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            rpc = createRpcContext(method, metadata, call);
            attachRpcContext(metadata, rpc);
            nextMetadata(metadata);
          },
          // grpc-js reports every call's end here, completed ones included (then `finished` is
          // already set); only calls that ended without a status — the caller cancelled, or the
          // deadline passed and grpc-js answered DEADLINE_EXCEEDED itself — are recorded here.
          onCancel: () => finish(rpc && Date.now() >= rpc.deadline - DEADLINE_TOLERANCE_MS ? Status.DEADLINE_EXCEEDED : Status.CANCELLED),
        }),
      sendMetadata: (metadata, next) => {
        if (rpc) metadata.set(REQUEST_ID_KEY, rpc.requestId);
        next(metadata);
      },
      sendStatus: (status, next) => {
        finish(status.code);
        const metadata = status.metadata ?? new Metadata();
        if (rpc) metadata.set(REQUEST_ID_KEY, rpc.requestId);
        next({ ...status, metadata });
      },
    });
  };
}
