import { status as Status, type ServerWritableStream } from '@grpc/grpc-js';
import { ServingStatus, type HealthCheckRequest, type HealthCheckResponse, type HealthServer } from '@pandora/grpc-contract';

/**
 * grpc.health.v1.Health (the standard health protocol, vendored proto). One status for the server
 * ("" as service name) and one per served service. Written here rather than taken from
 * grpc-health-check because a graceful shutdown must also end open Watch streams: otherwise
 * they hold the server open until the shutdown timeout cuts them.
 */
export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<{ service: string; call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse> }>();

  constructor(services: string[]) {
    for (const service of ['', ...services]) this.statuses.set(service, ServingStatus.NOT_SERVING);
  }

  /** Sets every service (and the server) to `status` and tells every watcher. */
  setAll(status: ServingStatus.SERVING | ServingStatus.NOT_SERVING): void {
    for (const service of this.statuses.keys()) this.statuses.set(service, status);
    for (const watcher of this.watchers) if (this.statuses.has(watcher.service)) watcher.call.write({ status });
  }

  /** Ends every Watch stream (after NOT_SERVING was sent): clients then retry elsewhere. */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.call.end();
    this.watchers.clear();
  }

  readonly implementation: HealthServer = {
    check: (call, callback) => {
      const status = this.statuses.get(call.request.service);
      if (status === undefined) {
        callback({ code: Status.NOT_FOUND, details: `Unknown service "${call.request.service.slice(0, 200)}".` });
        return;
      }
      callback(null, { status });
    },
    watch: (call) => {
      const watcher = { service: call.request.service, call };
      this.watchers.add(watcher);
      call.on('cancelled', () => this.watchers.delete(watcher));
      call.write({ status: this.statuses.get(call.request.service) ?? ServingStatus.SERVICE_UNKNOWN });
    },
    list: (_call, callback) => {
      callback(null, { statuses: Object.fromEntries([...this.statuses].map(([service, status]) => [service, { status }])) });
    },
  };
}
