import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { WORKSPACE_ROOT } from './infrastructure';

/** The four apps, bundled exactly as `npm start` and the container images run them. */
export const APPS = ['user-api', 'user-grpc', 'event-relay', 'audit-cleanup-worker'] as const;
export type AppName = (typeof APPS)[number];

export interface RunDirectories {
  /** tmp/bench/<run id>/ — logs of every process and, with --profile, CPU profiles. */
  root: string;
  logs: string;
  profiles: string;
}

/** One OS process the bench started (an app or a baseline server); its output goes to a file. */
export interface BenchProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  exited(): boolean;
  /** Resolves with the exit code (null when ended by a signal). */
  exit: Promise<number | null>;
  /** SIGTERM (the graceful path, which also writes a --cpu-prof profile), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
  /** The log file's text so far. */
  output(): string;
}

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function buildApps(): Promise<void> {
  const child = spawn(process.execPath, [path.join(WORKSPACE_ROOT, 'tools/scripts/build-app.mjs'), ...APPS], {
    cwd: WORKSPACE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`building the apps failed:\n${output}`);
}

const tracked = new Set<BenchProcess>();

/** Every process still running (the bench stops them all, whatever happens). */
export function runningProcesses(): BenchProcess[] {
  return [...tracked].filter((processInfo) => !processInfo.exited());
}

/**
 * Spawns `node <args>` with exactly `env` (plus PATH) and its stdout/stderr written straight to a
 * file (no pipe through the bench, so the bench's own load never slows the app's logging).
 */
export function spawnNode(
  name: string,
  args: string[],
  env: Record<string, string>,
  dirs: RunDirectories,
  options: { nodeFlags?: string[]; ipc?: boolean } = {},
): BenchProcess {
  const logFile = path.join(dirs.logs, `${name}.log`);
  const fd = fs.openSync(logFile, 'a');
  // Only the baselines get an IPC channel (they report their port and take commands over it);
  // the apps run exactly as they would under a process manager.
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...args], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: options.ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  let exited = false;
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    });
  });
  const processInfo: BenchProcess = {
    name,
    child,
    pid: child.pid as number,
    logFile,
    exited: () => exited,
    exit,
    async stop(graceMs = 15_000) {
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, graceMs);
      const code = await exit;
      clearTimeout(timer);
      tracked.delete(processInfo);
      return code;
    },
    output: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
  };
  tracked.add(processInfo);
  return processInfo;
}

/**
 * Node flags of an app process: source maps as in production, and --cpu-prof when profiling. Each
 * process profiles into a folder of its own under Node's default file names, which carry the
 * thread id: a fixed --cpu-prof-name is inherited by worker threads (the log writer), whose
 * profile then overwrote the event loop's.
 */
export function appNodeFlags(name: string, dirs: RunDirectories, profile: boolean): string[] {
  const flags = ['--enable-source-maps'];
  if (profile) flags.push('--cpu-prof', `--cpu-prof-dir=${path.join(dirs.profiles, `${name}.${Date.now()}`)}`);
  return flags;
}

export function startApp(app: AppName, name: string, env: Record<string, string>, dirs: RunDirectories, profile: boolean): BenchProcess {
  return spawnNode(name, [path.join(WORKSPACE_ROOT, 'dist/apps', app, 'main.js')], env, dirs, {
    nodeFlags: appNodeFlags(name, dirs, profile),
  });
}

/** Polls `url` until it answers 200; fails early when the process exits. */
export async function waitForHttp(processInfo: BenchProcess, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (processInfo.exited()) throw new Error(`${processInfo.name} exited during start-up:\n${processInfo.output().slice(-4000)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${processInfo.name} did not answer ${url} within ${timeoutMs} ms:\n${processInfo.output().slice(-4000)}`);
}

/** Waits for the first IPC message of a baseline process (it reports its port once listening). */
export async function firstMessage<T>(processInfo: BenchProcess, timeoutMs = 60_000): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${processInfo.name} sent nothing within ${timeoutMs} ms:\n${processInfo.output()}`)),
      timeoutMs,
    );
    processInfo.child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as T);
    });
    void processInfo.exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${processInfo.name} exited during start-up:\n${processInfo.output().slice(-4000)}`));
    });
  });
}
