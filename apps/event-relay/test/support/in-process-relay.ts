import { PassThrough } from 'node:stream';
import { buildEventRelayConfig } from '@pandora/config';
import { listen, type RunningServer } from '@pandora/http-kit';
import { createLogger } from '@pandora/observability';
import { createEventRelay, type EventRelayApp } from '../../src/composition-root';
import type { Infrastructure } from './processes';

export interface InProcessRelay {
  app: EventRelayApp;
  url: string;
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The relay's composition root in this process (for white-box checks); processes.ts runs the real process. */
export async function startInProcessRelay(infra: Infrastructure, env: Record<string, string> = {}): Promise<InProcessRelay> {
  const config = buildEventRelayConfig({
    APP_ENV: 'test',
    LOG_LEVEL: 'debug',
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    REDIS_KEY_PREFIX: infra.redisKeyPrefix,
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    EVENT_RELAY_LEADER_RETRY_INTERVAL: '200ms',
    EVENT_RELAY_MAX_BACKOFF: '500ms',
    ...env,
  });
  const stream = new PassThrough();
  const logs: Array<Record<string, unknown>> = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
  });
  const app = createEventRelay(config, { logger: createLogger({ service: 'event-relay', level: config.logLevel, stream }) });
  const server: RunningServer = await listen(app.httpApp.app, 0, '127.0.0.1');
  app.relay.start();
  app.courier.start();
  return {
    app,
    url: `http://127.0.0.1:${server.port}`,
    logs,
    async stop() {
      await Promise.all([app.relay.stop(), app.courier.stop()]);
      await server.close(1_000);
      await app.close();
    },
  };
}
