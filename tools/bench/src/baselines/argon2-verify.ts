/**
 * Baseline of the login benchmark: raw Argon2id verify/s with the same binding (@node-rs/argon2),
 * the same parameters (ARGON2_* as given to user-api) and the same process model as user-api —
 * one Node process, the verifications on libuv's thread pool, `concurrency` of them in flight.
 * Driven over IPC: {run: {concurrency, durationMs}} → {completed, seconds, latencies}.
 */
import { hash, verify } from '@node-rs/argon2';

const PASSWORD = process.env.BENCH_PASSWORD ?? 'bench password that is long enough';
const ARGON2ID = 2;

interface RunCommand {
  run: { concurrency: number; durationMs: number };
}

async function main(): Promise<void> {
  const stored = await hash(PASSWORD, {
    algorithm: ARGON2ID,
    memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 65_536),
    timeCost: Number(process.env.ARGON2_TIME_COST ?? 1),
    parallelism: Number(process.env.ARGON2_PARALLELISM ?? 4),
    outputLen: 32,
  });
  process.on('message', (message: RunCommand) => {
    void (async () => {
      const { concurrency, durationMs } = message.run;
      const latencies: number[] = [];
      const started = performance.now();
      const deadline = started + durationMs;
      let failed = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline) {
            const sent = performance.now();
            if (!(await verify(stored, PASSWORD))) failed++;
            latencies.push(performance.now() - sent);
          }
        }),
      );
      process.send?.({ completed: latencies.length, failed, seconds: (performance.now() - started) / 1000, latencies });
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true, hash: stored.slice(0, 30) });
}

void main();
