import fs from 'node:fs';
import { round } from './stats';

/**
 * Where the machine's CPU time went during a measured window, from /proc (Linux): the app under
 * test, PostgreSQL backends serving this run's database, redis-server, the bench itself (the load
 * generator), and everything else — other work on a shared machine, i.e. interference. Cheap
 * enough to run around every measurement (a few file reads), and free of any profiler overhead.
 */
export interface CpuGroups {
  /** Process ids per group; the sampler re-reads the PostgreSQL backends at the end. */
  app: number[];
  redis: number | null;
  postgresBackends: () => Promise<number[]>;
}

export interface CpuBreakdown {
  /** Wall time of the window. */
  seconds: number;
  /** CPU seconds per group, and what the machine had (cores × seconds). */
  app: number;
  /** Of `app`: the event-loop (main) threads alone; the rest is thread pool, Argon2 lanes, GC helpers. */
  appMainThread: number;
  postgres: number;
  redis: number;
  bench: number;
  other: number;
  idle: number;
  /** Time stolen by the hypervisor (a busy host). */
  steal: number;
  capacity: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux the bench targets

/** CPU ticks of a process (all its threads, exited ones included), or of one thread (`tid`). */
function processTicks(pid: number, tid?: number): number | null {
  try {
    const stat = fs.readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; idle: number; steal: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] as string;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    const idleAll = (idle ?? 0) + (iowait ?? 0);
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0);
    return { busy, idle: idleAll, steal: steal ?? 0, total: busy + idleAll + (steal ?? 0) };
  } catch {
    return null;
  }
}

function sumTicks(pids: number[]): Map<number, number> {
  const result = new Map<number, number>();
  for (const pid of pids) {
    const ticks = processTicks(pid);
    if (ticks !== null) result.set(pid, ticks);
  }
  return result;
}

export interface CpuWindow {
  end(): Promise<CpuBreakdown | null>;
}

/** The processes `pids` started, and theirs (user-api's Argon2 helpers count as the app). */
export function withDescendants(pids: number[]): number[] {
  const all = new Set<number>();
  const visit = (pid: number) => {
    if (all.has(pid)) return;
    all.add(pid);
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const tid of tasks) {
      try {
        for (const child of fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean))
          visit(Number(child));
      } catch {
        // the thread ended meanwhile
      }
    }
  };
  for (const pid of pids) visit(pid);
  return [...all];
}

export async function startCpuWindow(groups: CpuGroups): Promise<CpuWindow> {
  const started = performance.now();
  const machine = machineTicks();
  const backendsAtStart = await groups.postgresBackends().catch(() => [] as number[]);
  const appPids = withDescendants(groups.app);
  const app = sumTicks(appPids);
  const mainThreads = (pids: number[]) => pids.reduce((sum, pid) => sum + (processTicks(pid, pid) ?? 0), 0);
  const appMain = mainThreads(groups.app);
  const postgres = sumTicks(backendsAtStart);
  const redis = groups.redis !== null ? processTicks(groups.redis) : null;
  const bench = processTicks(process.pid);
  return {
    async end() {
      const seconds = (performance.now() - started) / 1000;
      const machineEnd = machineTicks();
      if (!machine || !machineEnd || bench === null) return null;
      const delta = (start: Map<number, number>, pids: number[], startMissingIsZero: boolean) => {
        let total = 0;
        for (const [pid, ticks] of sumTicks(pids)) {
          const before = start.get(pid) ?? (startMissingIsZero ? 0 : ticks);
          total += Math.max(0, ticks - before);
        }
        return total;
      };
      // A backend that appeared during the window (a pool growing) started from zero.
      const backendsAtEnd = await groups.postgresBackends().catch(() => backendsAtStart);
      const appTicks = delta(app, appPids, false);
      const appMainTicks = Math.max(0, mainThreads(groups.app) - appMain);
      const postgresTicks = delta(postgres, [...new Set([...backendsAtStart, ...backendsAtEnd])], true);
      const redisEnd = groups.redis !== null ? processTicks(groups.redis) : null;
      const redisTicks = redis !== null && redisEnd !== null ? redisEnd - redis : 0;
      const benchTicks = (processTicks(process.pid) ?? bench) - bench;
      const busy = machineEnd.busy - machine.busy;
      const ours = appTicks + postgresTicks + redisTicks + benchTicks;
      const toSeconds = (ticks: number) => round(ticks / TICKS_PER_SECOND);
      return {
        seconds: round(seconds),
        app: toSeconds(appTicks),
        appMainThread: toSeconds(appMainTicks),
        postgres: toSeconds(postgresTicks),
        redis: toSeconds(redisTicks),
        bench: toSeconds(benchTicks),
        other: toSeconds(Math.max(0, busy - ours)),
        idle: toSeconds(machineEnd.idle - machine.idle),
        steal: toSeconds(machineEnd.steal - machine.steal),
        capacity: toSeconds(machineEnd.total - machine.total),
      };
    },
  };
}

/** CPU milliseconds per operation, per group: the "where does one request's time go" view. */
export function perOperation(cpu: CpuBreakdown | null, operations: number): Record<string, number> | null {
  if (!cpu || operations <= 0) return null;
  const ms = (seconds: number) => round((seconds * 1000) / operations);
  return {
    app: ms(cpu.app),
    app_main_thread: ms(cpu.appMainThread),
    postgres: ms(cpu.postgres),
    redis: ms(cpu.redis),
    bench: ms(cpu.bench),
    other: ms(cpu.other),
  };
}
