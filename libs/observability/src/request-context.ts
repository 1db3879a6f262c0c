import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request (or per-RPC, per-job) fields every log line carries. */
export interface LogContext {
  request_id?: string;
  user_id?: string;
  trace_id?: string;
  span_id?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** Adds fields (e.g. user_id once the caller is authenticated) to the current context. */
export function annotateLogContext(fields: Partial<LogContext>): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

/** Supplies the active trace/span ids (set by the tracing module when OpenTelemetry is on). */
let traceIdProvider: (() => { trace_id?: string; span_id?: string } | undefined) | undefined;

export function setTraceIdProvider(provider: typeof traceIdProvider): void {
  traceIdProvider = provider;
}

export function currentTraceIds(): { trace_id?: string; span_id?: string } | undefined {
  return traceIdProvider?.();
}
