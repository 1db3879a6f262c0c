import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { WORKSPACE_ROOT } from './test-infrastructure';

/** A port held by a plain listening socket: what an app finds when another process has its port. */
export async function holdPort(host = '127.0.0.1'): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy()).listen(0, host);
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    release: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface EntryPointRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an app's TypeScript entry point (e.g. `apps/user-grpc/src/main.ts`) as the OS process it is
 * in production and waits for it to exit: for start-up failures. The environment is only `env`
 * (plus PATH), so nothing of the test runner's leaks in.
 */
export async function runEntryPointToExit(entry: string, env: Record<string, string>, timeoutMs = 60_000): Promise<EntryPointRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(WORKSPACE_ROOT, entry)], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
