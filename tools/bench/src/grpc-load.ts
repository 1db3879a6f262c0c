import { credentials, Metadata, status as Status } from '@grpc/grpc-js';
import { UserServiceClient } from '@pandora/grpc-contract';
import { Samples, summarize, type LatencySummary } from './stats';

export interface GrpcLoad {
  address: string;
  /** Bearer token sent as `authorization` metadata (the bare baseline ignores it). */
  token: string;
  userIds: string[];
  /** Calls in flight at every moment (closed loop). */
  concurrency: number;
  durationMs: number;
}

export interface GrpcLoadResult {
  callsPerSecond: number;
  completed: number;
  ok: number;
  /** OK answers per second. */
  okPerSecond: number;
  failures: Record<string, number>;
  seconds: number;
  latency: LatencySummary;
  samples: Float64Array;
}

/**
 * Closed-loop load on GetUser with the generated grpc-js client: `concurrency` calls always in
 * flight over one channel (one HTTP/2 connection, as a calling service would hold).
 */
export async function runGrpcLoad(load: GrpcLoad): Promise<GrpcLoadResult> {
  const client = new UserServiceClient(load.address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${load.token}`);
  const samples = new Samples();
  const failures: Record<string, number> = {};
  let completed = 0;
  let ok = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + load.durationMs;

  const call = (userId: string) =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      client.getUser({ userId }, metadata, { deadline: Date.now() + 10_000 }, (error) => {
        samples.push(performance.now() - sent);
        completed++;
        if (error) {
          const name = Status[error.code] ?? String(error.code);
          failures[name] = (failures[name] ?? 0) + 1;
        } else {
          ok++;
        }
        resolve();
      });
    });

  const worker = async () => {
    while (performance.now() < deadline) await call(load.userIds[next++ % load.userIds.length] as string);
  };
  try {
    await Promise.all(Array.from({ length: load.concurrency }, worker));
  } finally {
    client.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const values = samples.values();
  return {
    callsPerSecond: completed / seconds,
    completed,
    ok,
    okPerSecond: ok / seconds,
    failures,
    seconds,
    latency: summarize(values),
    samples: values,
  };
}
