import { setLogger } from '@grpc/grpc-js';
import type { Logger } from '@pandora/observability';

/**
 * grpc-js writes its own diagnostics to stderr as bare "E …" lines; in this process they become
 * structured log lines like everything else. One is dropped: the summary of a failed bind, which
 * the caller of listen() reports itself (a port in use is one line naming GRPC_PORT, see main.ts).
 */
export function routeGrpcJsLogs(logger: Logger): void {
  const forward =
    (level: 'error' | 'info' | 'debug') =>
    (message?: unknown, ...rest: unknown[]) => {
      const text = [message, ...rest].map(String).join(' ');
      if (text.startsWith('No address added out of total')) return;
      logger[level](`grpc-js: ${text}`);
    };
  setLogger({ error: forward('error'), info: forward('info'), debug: forward('debug') });
}
