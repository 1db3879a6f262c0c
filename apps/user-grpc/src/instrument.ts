// Imported first by main.ts: tracing must hook grpc-js, http and pg before anything loads them.
import { startTracingFromEnv } from '@pandora/observability/tracing';

export const tracing = startTracingFromEnv('user-grpc');
