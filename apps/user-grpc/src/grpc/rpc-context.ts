import type { Metadata, ServerInterceptingCallInterface } from '@grpc/grpc-js';
import type { RequestContext } from '@pandora/domain';
import { requestIdFrom } from '@pandora/http-kit';
import { activeTraceparent, currentTraceIds, newTraceId, parseTraceparent, type LogContext } from '@pandora/observability';

/** Who called, as established by the authentication interceptor. */
export interface Caller {
  /** The token's configured name, the client certificate's CN, or `anonymous` (dev/test only). */
  name: string;
  via: 'token' | 'mtls' | 'none';
}

/** Everything known about one call before its handler runs. */
export interface RpcContext {
  /** `pandora.user.v1.UserService/GetUser` */
  method: string;
  requestId: string;
  traceparent: string | null;
  log: LogContext;
  ipAddress: string | null;
  userAgent: string | null;
  /** Milliseconds since the epoch; Infinity when the caller set no deadline. */
  deadline: number;
  caller: Caller | null;
}

const USER_AGENT_MAX = 512;

function firstString(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : undefined;
}

function peerAddress(call: ServerInterceptingCallInterface): string | null {
  const address = call.getConnectionInfo().remoteAddress;
  if (!address) return null;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function deadlineOf(call: ServerInterceptingCallInterface): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

export function createRpcContext(method: string, metadata: Metadata, call: ServerInterceptingCallInterface): RpcContext {
  const requestId = requestIdFrom(firstString(metadata, 'x-request-id'));
  const trace = parseTraceparent(firstString(metadata, 'traceparent'));
  // Control characters are stripped: the value lands in audit rows and logs.
  const userAgent =
    firstString(metadata, 'user-agent')
      ?.replace(/[\p{Cc}]/gu, '')
      .slice(0, USER_AGENT_MAX) || null;
  return {
    method,
    requestId,
    traceparent: trace?.traceparent ?? null,
    // Without the caller's trace, a fresh W3C trace id still ties the call's lines together
    // (docs/observability.md#logs: a trace id on every line); the handler replaces it with the server span's when tracing is on.
    log: {
      request_id: requestId,
      ...(trace ? { trace_id: trace.traceId, span_id: trace.spanId } : { trace_id: newTraceId() }),
    },
    ipAddress: peerAddress(call),
    userAgent,
    deadline: deadlineOf(call),
    caller: null,
  };
}

/**
 * The context travels from the interceptors to the handler with the call's metadata object, which
 * grpc-js hands through the interceptor chain to the handler as it is.
 */
const contexts = new WeakMap<Metadata, RpcContext>();

export function attachRpcContext(metadata: Metadata, context: RpcContext): void {
  contexts.set(metadata, context);
}

export function rpcContextOf(metadata: Metadata): RpcContext | undefined {
  return contexts.get(metadata);
}

/**
 * What the use cases record about the call (audit rows, event metadata). Called inside the handler,
 * where the gRPC server span is active when tracing is on: its traceparent (and ids, for the call's
 * log line) win over the caller's, so consumers of the events continue this very trace.
 */
export function requestContextOf(rpc: RpcContext): RequestContext {
  const active = activeTraceparent();
  const ids = currentTraceIds();
  if (ids?.trace_id) Object.assign(rpc.log, ids);
  return { requestId: rpc.requestId, ipAddress: rpc.ipAddress, userAgent: rpc.userAgent, traceparent: active ?? rpc.traceparent };
}
