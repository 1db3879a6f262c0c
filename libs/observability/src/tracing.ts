/**
 * OpenTelemetry for every app. Import this module FIRST in an app's entry point (see each app's
 * `instrument.ts`): the instrumentations patch http, express, pg, ioredis and grpc-js as they are
 * loaded, so they must be registered before those modules are.
 *
 * Deliberately small in what it imports (no winston, no prom-client): everything loaded before
 * `start()` runs escapes instrumentation.
 *
 *   OTEL_ENABLED=true                 export spans (default false: no SDK, zero overhead)
 *   OTEL_EXPORTER_OTLP_ENDPOINT       collector base URL, OTLP/HTTP (default http://localhost:4318)
 *   OTEL_SAMPLE_RATE                  0..1, head sampling of new traces (default 1, prod 0.1);
 *                                     a sampled parent is always honoured
 *   OTEL_SERVICE_NAME                 defaults to the app name
 */
import { trace } from '@opentelemetry/api';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { setTraceIdProvider } from './request-context';

export interface TracingSettings {
  enabled: boolean;
  serviceName: string;
  endpoint: string;
  sampleRate: number;
}

export interface Tracing {
  settings: TracingSettings;
  /** Flushes pending spans; call during graceful shutdown. */
  shutdown(): Promise<void>;
}

const TRUE = /^(true|1|yes|on)$/i;
const FALSE = /^(false|0|no|off)?$/i;
/** Plain decimals only: Number() would also take "0x1", "1e0" or "Infinity". */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

/**
 * Reads the OTEL_* variables; refuses nonsense loudly, since this runs before config validation
 * (a typo such as OTEL_ENABLED=ture must not silently turn tracing off).
 */
export function tracingSettingsFromEnv(service: string, env: Record<string, string | undefined> = process.env): TracingSettings {
  const problems: string[] = [];
  const rawRate = env.OTEL_SAMPLE_RATE?.trim();
  const sampleRate = rawRate ? (DECIMAL.test(rawRate) ? Number(rawRate) : Number.NaN) : env.APP_ENV === 'prod' ? 0.1 : 1;
  if (!(sampleRate >= 0 && sampleRate <= 1)) {
    problems.push(`OTEL_SAMPLE_RATE: expected a number between 0 and 1 (got "${rawRate}")`);
  }
  const rawEnabled = env.OTEL_ENABLED?.trim() ?? '';
  if (!TRUE.test(rawEnabled) && !FALSE.test(rawEnabled)) problems.push(`OTEL_ENABLED: expected true or false (got "${rawEnabled}")`);
  if (problems.length > 0)
    throw new Error(`Invalid configuration for ${service}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  return {
    enabled: TRUE.test(rawEnabled),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || service,
    endpoint: (env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || 'http://localhost:4318').replace(/\/+$/, ''),
    sampleRate,
  };
}

export function startTracing(settings: TracingSettings): Tracing {
  if (!settings.enabled) return { settings, shutdown: async () => undefined };
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRate) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${settings.endpoint}/v1/traces` }))],
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        // Our logger adds trace_id/span_id itself (with redaction); no second injection.
        '@opentelemetry/instrumentation-winston': { enabled: false },
        // Route handlers and routers are worth a span; every helmet/cors/json middleware is not.
        '@opentelemetry/instrumentation-express': { ignoreLayersType: [ExpressLayerType.MIDDLEWARE] },
        '@opentelemetry/instrumentation-http': {
          // Probes and scrapes would be most of the traces and tell nothing.
          ignoreIncomingRequestHook: (request) => /^\/(health|ready|metrics)(\?|$)/.test(request.url ?? ''),
          // The pages of mailed links carry a one-time token in the query: a trace must not keep it.
          redactedQueryParamsServer: ['token'],
        },
      }),
    ],
  });
  sdk.start();
  setTraceIdProvider(() => {
    const span = trace.getActiveSpan();
    if (!span) return undefined;
    const { traceId, spanId } = span.spanContext();
    return { trace_id: traceId, span_id: spanId };
  });
  return { settings, shutdown: () => sdk.shutdown() };
}

/**
 * Convenience for entry points: read the env, start, return the handle. Bad OTEL_* values end the
 * process the way a config error does (message, exit 1): this runs while the entry point is still
 * importing, where a thrown error would surface as a stack trace instead.
 */
export function startTracingFromEnv(service: string): Tracing {
  let settings: TracingSettings;
  try {
    settings = tracingSettingsFromEnv(service);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  return startTracing(settings);
}
