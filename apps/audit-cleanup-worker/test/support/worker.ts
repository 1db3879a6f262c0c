import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Writable } from 'node:stream';
import { buildAuditCleanupWorkerConfig, type AuditCleanupWorkerConfig } from '@pandora/config';
import { createLogger, type Logger } from '@pandora/observability';
import { WORKSPACE_ROOT } from '@pandora/testing';

export type LogLine = Record<string, unknown> & { message: string; level: string; timestamp: string };

export function parseLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** A real logger whose JSON lines the test can read back. */
export function capturingLogger(): { logger: Logger; lines: () => LogLine[] } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ service: 'audit-cleanup-worker', level: 'debug', stream }), lines: () => parseLines(text) };
}

export function workerConfig(databaseUrl: string, env: Record<string, string> = {}): AuditCleanupWorkerConfig {
  return buildAuditCleanupWorkerConfig({ APP_ENV: 'test', DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: '2', ...env });
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  lines: () => LogLine[];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once a log line satisfies `predicate`. */
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/**
 * The real entry point as one OS process, env given explicitly. tsx is loaded into node itself
 * (`--import tsx`) rather than through its CLI, which would run the program in a child process:
 * a SIGKILL must hit the process that holds the database sessions.
 */
export function startWorker(env: Record<string, string>, args: string[] = []): WorkerProcess {
  return spawnWorker(['--import', 'tsx', 'apps/audit-cleanup-worker/src/main.ts', ...args], env);
}

/** `npm run audit:cleanup -- <args>` without npm itself: the script's command line, bundle included. */
export function startViaRunScript(env: Record<string, string>, args: string[] = []): WorkerProcess {
  return spawnWorker([path.join(WORKSPACE_ROOT, 'tools/scripts/run-app.mjs'), 'audit-cleanup-worker', ...args], env);
}

function spawnWorker(argv: string[], env: Record<string, string>): WorkerProcess {
  let output = '';
  const child = spawn(process.execPath, argv, {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH ?? '', APP_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = once(child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    child,
    output: () => output,
    lines: () => parseLines(output),
    exited,
    waitForLine(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        let settled = false;
        const settle = (outcome: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const index = waiters.indexOf(check);
          if (index >= 0) waiters.splice(index, 1);
          child.off('close', onExit);
          outcome();
        };
        const check = () => {
          const found = parseLines(output).find(predicate);
          if (found) settle(() => resolve(found));
        };
        const onExit = () => {
          check();
          settle(() => reject(new Error(`the worker exited before the expected log line; output:\n${output}`)));
        };
        const timer = setTimeout(
          () => settle(() => reject(new Error(`no matching log line within ${timeoutMs} ms; output so far:\n${output}`))),
          timeoutMs,
        );
        waiters.push(check);
        child.once('close', onExit);
        check();
      });
    },
  };
}

export function summaryOf(lines: LogLine[]): LogLine {
  const summaries = lines.filter((line) => line.message === 'audit cleanup summary');
  if (summaries.length !== 1) throw new Error(`expected exactly one summary line, got ${summaries.length}`);
  return summaries[0] as LogLine;
}
