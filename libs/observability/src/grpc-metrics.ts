import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * The gRPC server metrics (docs/observability.md#metrics), registered on an app's registry (AppMetrics.registry).
 * `grpc_method` is the full method name (`pandora.user.v1.UserService/GetUser`): only registered
 * methods reach the server's interceptors, so the label set is bounded.
 */
export class GrpcServerMetrics {
  readonly handledTotal: Counter<'grpc_method' | 'grpc_code'>;
  readonly handlingSeconds: Histogram<'grpc_method'>;

  constructor(registry: Registry) {
    this.handledTotal = new Counter({
      name: 'grpc_server_handled_total',
      help: 'gRPC calls completed, by full method name and status code name (OK, NOT_FOUND, …).',
      labelNames: ['grpc_method', 'grpc_code'] as const,
      registers: [registry],
    });
    this.handlingSeconds = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'gRPC call latency from the request headers to the status, by full method name.',
      labelNames: ['grpc_method'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  record(method: string, code: string, seconds: number): void {
    this.handledTotal.inc({ grpc_method: method, grpc_code: code });
    this.handlingSeconds.observe({ grpc_method: method }, seconds);
  }
}
