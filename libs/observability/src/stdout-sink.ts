import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * The writer thread: writes each batch it is sent to the file descriptor, whole (partial writes
 * continued, EAGAIN of a non-blocking pipe waited out), then publishes how many batches are done.
 * A batch it cannot write (the reader has gone: EPIPE) still counts as done, so nobody waits for it.
 */
const WRITER_SOURCE = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const { fd, state } = workerData;
const done = new Int32Array(state);
const pause = new Int32Array(new SharedArrayBuffer(4));
parentPort.on('message', (text) => {
  let buffer = Buffer.from(text, 'utf8');
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(fs.writeSync(fd, buffer));
    } catch (error) {
      if (error.code !== 'EAGAIN') break;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
});
`;

/** Batches posted to the writer but not yet written, in bytes, before logging waits for it. */
const MAX_OUTSTANDING_BYTES = 8 * 1024 * 1024;
/** A batch is handed over at the end of the event-loop turn, or as soon as it is this large. */
const BATCH_BYTES = 64 * 1024;
/** How long the exit path waits for the writer before writing the rest itself. */
const EXIT_WAIT_MS = 10_000;

function writeAllSync(fd: number, text: string): void {
  let buffer = Buffer.from(text, 'utf8');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(fs.writeSync(fd, buffer));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/**
 * Log lines to a file descriptor (stdout) without the event loop waiting for the write: lines are
 * gathered for the rest of the event-loop turn and handed as one batch to a writer thread, which does
 * the blocking write. A slow reader (a container runtime's log driver, a full pipe) stalls that thread,
 * not requests; only when 8 MiB are waiting does logging block, as a synchronous write would.
 *
 * No line is lost on exit: the 'exit' handler (process.exit, the end of the event loop) waits until
 * the writer has written every batch it was given, then writes what was not yet handed over itself,
 * in order. One sink per descriptor, so the lines of every logger of the process keep their order.
 */
export class StdoutSink {
  private pending: string[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private posted = 0;
  private readonly outstanding: number[] = [];
  private readonly done: Int32Array;
  private readonly worker: Worker;
  /** The writer thread failed or ended: lines are written here, synchronously, as before. */
  private writerGone = false;

  constructor(private readonly fd: number) {
    const state = new SharedArrayBuffer(4);
    this.done = new Int32Array(state);
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { fd, state } });
    // The writer never keeps the process alive: the exit handler below drains it.
    this.worker.unref();
    const gone = () => {
      this.writerGone = true;
    };
    this.worker.on('error', gone).on('exit', gone);
    process.on('exit', () => this.drainSync());
  }

  /** Queues one line (without its newline). */
  write(line: string): void {
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= BATCH_BYTES) {
      this.handOver();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.handOver());
    }
  }

  private handOver(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.waitForWriter(MAX_OUTSTANDING_BYTES - text.length, Number.POSITIVE_INFINITY) || this.writerGone) {
      writeAllSync(this.fd, text);
      return;
    }
    this.worker.postMessage(text);
    this.posted += 1;
    this.outstanding.push(text.length);
  }

  /** Blocks until at most `maxBytes` are outstanding; false when the writer is gone or `timeoutMs` passed. */
  private waitForWriter(maxBytes: number, timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.done, 0);
      // outstanding[i] is batch number (posted - outstanding.length + i) + 1.
      while (this.outstanding.length > 0 && this.posted - this.outstanding.length < done) this.outstanding.shift();
      const bytes = this.outstanding.reduce((sum, size) => sum + size, 0);
      if (bytes <= Math.max(0, maxBytes)) return true;
      if (this.writerGone) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.done, 0, done, Math.min(left, 100));
    }
  }

  private drainSync(): void {
    const rest = this.pending.length > 0 ? `${this.pending.join('\n')}\n` : '';
    this.pending = [];
    this.pendingBytes = 0;
    this.waitForWriter(0, EXIT_WAIT_MS);
    if (rest) writeAllSync(this.fd, rest);
  }
}

const sinks = new Map<number, StdoutSink>();

/** The process's one sink for `fd` (1: stdout). */
export function sinkFor(fd: number): StdoutSink {
  let sink = sinks.get(fd);
  if (!sink) {
    sink = new StdoutSink(fd);
    sinks.set(fd, sink);
  }
  return sink;
}
