// Imported first by main.ts: tracing must hook pg and ioredis before anything loads them.
import { startTracingFromEnv } from '@pandora/observability/tracing';

export const tracing = startTracingFromEnv('event-relay');
