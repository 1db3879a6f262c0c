import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OTLP collector cannot run here, so this plays one: it accepts OTLP/HTTP JSON on /v1/traces
 * exactly as a collector does and keeps the spans for assertions. The apps' exporters are real.
 */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

export interface FakeOtlpCollector {
  url: string;
  spans: ExportedSpan[];
  /** Waits until the spans of one trace satisfy `until` (exporters batch, so they arrive late). */
  spansOf(traceId: string, until: (spans: ExportedSpan[]) => boolean, timeoutMs?: number): Promise<ExportedSpan[]>;
  close(): Promise<void>;
}

export function spanAttribute(span: ExportedSpan, key: string): string | undefined {
  return span.attributes.find((entry) => entry.key === key)?.value.stringValue as string | undefined;
}

export async function startFakeOtlpCollector(): Promise<FakeOtlpCollector> {
  const spans: ExportedSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: ExportedSpan[] }> }> };
        for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    async spansOf(traceId, until, timeoutMs = 15_000) {
      const started = Date.now();
      for (;;) {
        const found = spans.filter((span) => span.traceId === traceId);
        if (until(found)) return found;
        if (Date.now() - started > timeoutMs)
          throw new Error(`spans of ${traceId} incomplete: ${found.map((span) => span.name).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 100)); // poll step of a wait with a deadline, not a sleep the test depends on
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
