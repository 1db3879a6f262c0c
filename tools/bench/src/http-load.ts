import autocannon from 'autocannon';
import { Samples, summarize, type LatencySummary } from './stats';

/** One autocannon run against one URL. Every connection can carry its own headers and body. */
export interface HttpLoad {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  durationMs: number;
  /** Per connection (index modulo the list): e.g. a bearer token each, or a login body each. */
  perConnection?: Array<{ headers?: Record<string, string>; body?: string }>;
  headers?: Record<string, string>;
  /**
   * A body per request instead of one per connection (single-use tokens): called once per
   * connection with its index, the function it returns once per request of that connection.
   */
  bodyPerRequest?: (connection: number) => () => string;
  /** Open-loop rate over all connections (requests/s); closed loop when absent. */
  overallRate?: number;
}

export interface HttpLoadResult {
  /** Completed requests per second (any status). */
  rps: number;
  completed: number;
  /** 2xx answers per second: what "throughput" means in the report. */
  okPerSecond: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** Latency of every completed request, sub-millisecond (autocannon's own histogram rounds to ms). */
  latency: LatencySummary;
  samples: Float64Array;
  /** When each sample's response arrived (epoch ms), in the order of `samples`. */
  completedAt: Float64Array;
  /** Status codes seen other than 2xx, for diagnosing a failed run. */
  statuses: Record<string, number>;
}

export interface RunningHttpLoad {
  /** Ends the run early (e.g. when the cleanup worker exits). */
  stop(): void;
  done: Promise<HttpLoadResult>;
}

export function startHttpLoad(load: HttpLoad): RunningHttpLoad {
  const samples = new Samples();
  const completedAt = new Samples();
  const statuses: Record<string, number> = {};
  let nextClient = 0;
  const started = performance.now();
  let instance: autocannon.Instance | undefined;
  const done = new Promise<HttpLoadResult>((resolve, reject) => {
    instance = autocannon(
      {
        url: load.url,
        method: load.method,
        connections: load.connections,
        duration: load.durationMs / 1000,
        pipelining: 1,
        timeout: 30,
        ...(load.overallRate ? { overallRate: load.overallRate } : {}),
        ...(load.headers ? { headers: load.headers } : {}),
        setupClient: (client) => {
          const connection = nextClient++;
          const own = load.perConnection?.[connection % load.perConnection.length];
          if (load.bodyPerRequest) {
            const next = load.bodyPerRequest(connection);
            client.setRequests([
              {
                method: load.method,
                path: new URL(load.url).pathname,
                headers: { ...load.headers, ...own?.headers },
                setupRequest: (request) => ({ ...request, body: next() }),
              },
            ]);
          } else if (own) {
            client.setHeadersAndBody({ ...load.headers, ...own.headers }, own.body);
          }
        },
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const seconds = (performance.now() - started) / 1000;
        const completed = result.requests.total;
        const ok = result['2xx'];
        const values = samples.values();
        resolve({
          rps: completed / seconds,
          completed,
          okPerSecond: ok / seconds,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          seconds,
          latency: summarize(values),
          samples: values,
          completedAt: completedAt.values(),
          statuses,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      samples.push(responseTime);
      completedAt.push(performance.timeOrigin + performance.now());
      if (statusCode < 200 || statusCode >= 300) statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
  return { stop: () => instance?.stop(), done };
}

export function runHttpLoad(load: HttpLoad): Promise<HttpLoadResult> {
  return startHttpLoad(load).done;
}
