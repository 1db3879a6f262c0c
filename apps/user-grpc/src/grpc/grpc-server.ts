import { Server, type ServerCredentials, type ServerInterceptor } from '@grpc/grpc-js';
import type { ServiceUseCases } from '@pandora/use-cases';
import { HealthService as HealthServiceDefinition, ServingStatus, USER_SERVICE_NAME, UserServiceService } from '@pandora/grpc-contract';
import type { GrpcServerMetrics, Logger } from '@pandora/observability';
import type { CallerAuthenticator } from './caller-authenticator';
import { HealthService } from './health.service';
import { authenticateInterceptor } from './interceptors/authenticate.interceptor';
import { observeInterceptor } from './interceptors/observe.interceptor';
import { recoveryInterceptor } from './interceptors/recovery.interceptor';
import { addReflection } from './reflection';
import { userServiceHandlers } from './user-service.handlers';

export interface GrpcServerOptions {
  useCases: ServiceUseCases;
  authenticator: CallerAuthenticator;
  logger: Logger;
  metrics: GrpcServerMetrics;
  reflection: boolean;
}

/**
 * grpc-js runs interceptors[0] first on the way in and last on the way out, so observe sees every
 * call from its first byte to its final status (recovered, authenticated or not).
 */
export function serverInterceptors(options: Pick<GrpcServerOptions, 'authenticator' | 'logger' | 'metrics'>): ServerInterceptor[] {
  return [
    observeInterceptor(options.logger, options.metrics),
    recoveryInterceptor(options.logger),
    authenticateInterceptor(options.authenticator, options.logger),
  ];
}

/** Requests are a few ids and strings; anything near this size is not a request of ours. */
const MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024;

/** The gRPC listener: UserService behind the interceptors, the health service, and reflection when enabled. */
export class UserGrpcServer {
  readonly health = new HealthService([USER_SERVICE_NAME]);
  private readonly server: Server;

  constructor(options: GrpcServerOptions) {
    this.server = new Server({
      interceptors: serverInterceptors(options),
      'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
      // Long-lived client connections would pin callers to one replica forever; recycling them
      // every few minutes lets new replicas take load. In-flight calls get the grace period.
      'grpc.max_connection_age_ms': 5 * 60_000,
      'grpc.max_connection_age_grace_ms': 30_000,
    });
    this.server.addService(UserServiceService, userServiceHandlers(options.useCases, options.logger));
    this.server.addService(HealthServiceDefinition, this.health.implementation);
    if (options.reflection) addReflection(this.server);
  }

  /** Binds `host:port` (0: an ephemeral port) and reports SERVING; resolves to the bound port. */
  listen(host: string, port: number, credentials: ServerCredentials): Promise<number> {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, credentials, (error, boundPort) => {
        if (error) {
          reject(error);
          return;
        }
        this.health.setAll(ServingStatus.SERVING);
        resolve(boundPort);
      });
    });
  }

  /**
   * Graceful stop: health turns NOT_SERVING (watchers are told, then their streams end), the
   * listener stops accepting, in-flight calls finish; whatever still runs after `timeoutMs` is
   * cancelled. Resolves to whether that cut was needed.
   */
  shutdown(timeoutMs: number): Promise<{ forced: boolean }> {
    this.health.setAll(ServingStatus.NOT_SERVING);
    this.health.endWatches();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve({ forced: true });
      }, timeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve({ forced: false });
      });
    });
  }
}
