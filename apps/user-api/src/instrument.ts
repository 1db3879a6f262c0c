// Imported first by main.ts: tracing must hook http/express/pg/ioredis before anything loads them.
import { startTracingFromEnv } from '@pandora/observability/tracing';

export const tracing = startTracingFromEnv('user-api');
