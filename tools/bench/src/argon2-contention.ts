/**
 * `npx tsx tools/bench/src/argon2-contention.ts` — why a login costs more Argon2 CPU than a bare
 * verify (docs/benchmarks.md, "login"): the CPU of one verify (m=64 MiB t=1 p=4, 4 in flight)
 * alone, beside a separate busy process, beside a busy thread of the same process (whose own
 * CPU, read from /proc, is subtracted), and in an Argon2 helper process (ARGON2_WORKERS) while the
 * calling process has that busy thread (the helper's own CPU, from /proc); alone, also the kernel's
 * part of it. Linux only.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { hash, verify } from '@node-rs/argon2';
import { Argon2HelperPool } from '@pandora/auth';

/** About what an event loop serving requests does: short bursts of work that allocate. */
const BUSY = `const junk = []; setInterval(() => { const end = performance.now() + 0.3;
  while (performance.now() < end) { junk.push({ a: Math.random(), b: 'x'.repeat(50) }); if (junk.length > 50000) junk.length = 0; } }, 1);`;
const SECONDS = 8;
const PASSWORD = 'argon2 contention probe';

const threads = () => new Set(fs.readdirSync('/proc/self/task'));
function threadTicks(tid: string, pid: number | 'self' = 'self'): number {
  const stat = fs.readFileSync(pid === 'self' ? `/proc/self/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function measure(label: string, busyThreads: string[] = []): Promise<void> {
  const stored = await hash(PASSWORD, { algorithm: 2, memoryCost: 65_536, timeCost: 1, parallelism: 4, outputLen: 32 });
  const busyBefore = busyThreads.reduce((sum, tid) => sum + threadTicks(tid), 0);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let verified = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() - started < SECONDS * 1000) {
        await verify(stored, PASSWORD);
        verified++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const busyMs = (busyThreads.reduce((sum, tid) => sum + threadTicks(tid), 0) - busyBefore) * 10;
  const perVerify = ((cpu.user + cpu.system) / 1000 - busyMs) / verified;
  // The kernel's share: each verify gets its 64 MiB fresh from the OS (see docs/benchmarks.md), and
  // the kernel zeroes it page by page as the lanes first touch it.
  const kernel = busyThreads.length > 0 ? '' : `, ${(cpu.system / 1000 / verified).toFixed(1)} ms of it in the kernel`;
  const note = busyThreads.length > 0 ? ` (the busy thread's ${Math.round(busyMs / (SECONDS * 10))}% of a core subtracted)` : '';
  console.log(
    `${label.padEnd(24)} ${(verified / SECONDS).toFixed(1).padStart(5)} verify/s  ${perVerify.toFixed(1)} ms CPU per verify${kernel}${note}`,
  );
}

/** The same load through a helper process; its CPU per verify, read from /proc/<helper>/stat. */
async function measureHelper(label: string): Promise<void> {
  const pool = new Argon2HelperPool(1);
  const options = { algorithm: 2, memoryCost: 65_536, timeCost: 1, parallelism: 4, outputLen: 32 };
  const stored = await pool.hash(PASSWORD, options);
  const [helper] = pool.pids() as [number];
  const before = threadTicks('', helper);
  const started = performance.now();
  let verified = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() - started < SECONDS * 1000) {
        await pool.verify(stored, PASSWORD);
        verified++;
      }
    }),
  );
  const perVerify = ((threadTicks('', helper) - before) * 10) / verified;
  console.log(
    `${label.padEnd(24)} ${(verified / SECONDS).toFixed(1).padStart(5)} verify/s  ${perVerify.toFixed(1)} ms CPU per verify (the helper's)`,
  );
  await pool.close();
}

async function main(): Promise<void> {
  await measure('alone');
  const busyProcess = spawn(process.execPath, ['-e', BUSY], { stdio: 'ignore' });
  await measure('beside a busy process');
  busyProcess.kill();
  const before = threads();
  const busyThread = new Worker(BUSY, { eval: true });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await measure(
    'beside a busy thread',
    [...threads()].filter((tid) => !before.has(tid)),
  );
  await measureHelper('helper, busy caller');
  await busyThread.terminate();
  await measure('alone');
}

void main();
