import childProcess from 'node:child_process';
import net from 'node:net';

/**
 * The unit tier (`npm run test:unit`, `jest.unit.config.js`) runs `src/**\/*.test.ts` without the
 * template database and promises "no servers": no PostgreSQL, Redis, SMTP, HTTP or gRPC server, no
 * child process. This guard keeps the promise honest. While it is installed, opening a socket
 * (connect or listen, TCP or Unix) or starting a process throws an error that names what was tried
 * and where such a test belongs, and the attempt is recorded, so that a library that catches the
 * error and retries (ioredis, pg pools) still fails the test instead of hanging until its timeout.
 */
export class ServerUseInUnitTest extends Error {
  constructor(what: string) {
    super(
      `a unit test (src/**/*.test.ts) tried to ${what}. Unit tests run without servers or processes: ` +
        "move this test to the project's test/ folder (README: Running the tests).",
    );
    this.name = 'ServerUseInUnitTest';
  }
}

const WELL_KNOWN_PORTS: Record<number, string> = { 5432: 'PostgreSQL', 6432: 'PgBouncer', 6379: 'Redis', 1025: 'SMTP', 25: 'SMTP' };

/** "127.0.0.1:5432 (PostgreSQL)" from the many argument shapes of connect() and listen(). */
function describeAddress(args: unknown[]): string {
  // net.connect normalises its arguments to [options, callback] before calling socket.connect.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (first && typeof first === 'object') {
    const options = first as { path?: string; port?: number | string; host?: string };
    if (options.path) return options.path;
    const port = Number(options.port ?? 0);
    const service = WELL_KNOWN_PORTS[port];
    return `${options.host ?? 'localhost'}:${port}${service ? ` (${service})` : ''}`;
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return first;
  const port = Number(first ?? 0);
  const host = typeof args[1] === 'string' ? args[1] : 'localhost';
  const service = WELL_KNOWN_PORTS[port];
  return `${host}:${port}${service ? ` (${service})` : ''}`;
}

const CHILD_PROCESS_FUNCTIONS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

/**
 * Installs the guard; returns the attempts recorded so far (read and cleared by `takeAttempts`) and
 * a function that restores the real functions. Node's core modules are shared by every module of
 * the process, so patching them here also covers `pg`, `ioredis`, `undici`, `@grpc/grpc-js`.
 */
export function forbidServers(): { takeAttempts(): ServerUseInUnitTest[]; restore(): void } {
  const attempts: ServerUseInUnitTest[] = [];
  const refuse = (what: string): never => {
    const error = new ServerUseInUnitTest(what);
    attempts.push(error);
    throw error;
  };
  const connect = net.Socket.prototype.connect;
  const listen = net.Server.prototype.listen;
  const processes = Object.fromEntries(CHILD_PROCESS_FUNCTIONS.map((name) => [name, childProcess[name]]));

  net.Socket.prototype.connect = function guardedConnect(...args: unknown[]) {
    return refuse(`connect to ${describeAddress(args)}`);
  } as typeof connect;
  net.Server.prototype.listen = function guardedListen(...args: unknown[]) {
    return refuse(`listen on ${describeAddress(args)}`);
  } as typeof listen;
  const writable = childProcess as unknown as Record<string, unknown>;
  for (const name of CHILD_PROCESS_FUNCTIONS) {
    writable[name] = (command: unknown) => refuse(`start a process (child_process.${name} ${String(command)})`);
  }

  return {
    takeAttempts: () => attempts.splice(0),
    restore: () => {
      net.Socket.prototype.connect = connect;
      net.Server.prototype.listen = listen;
      for (const name of CHILD_PROCESS_FUNCTIONS) writable[name] = processes[name];
    },
  };
}
