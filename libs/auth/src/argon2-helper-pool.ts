import { spawn, type ChildProcess } from 'node:child_process';

/** What the helpers compute: exactly the binding's `hash`/`verify` with the caller's options. */
export interface Argon2HashOptions {
  algorithm: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  outputLen: number;
}

type Request = { op: 'hash'; password: string; options: Argon2HashOptions } | { op: 'verify'; hash: string; password: string };
type Reply = { id: number; ok: true; value: string | boolean } | { id: number; ok: false; error: string };

interface Pending {
  request: Request;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface Helper {
  child: ChildProcess;
  pending: Map<number, Pending>;
  /** The helper loaded the binding and said so. */
  ready: boolean;
  /** It exited: requests go elsewhere until its replacement starts. */
  dead: boolean;
}

/**
 * No helper can take the work (the pool is closed, or helpers die before they start). Unlike a
 * binding's own error (a malformed stored hash), this is an outage, never a wrong password.
 */
export class Argon2HelperUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Argon2HelperUnavailable';
  }
}

const MAX_RESTART_DELAY_MS = 30_000;

/**
 * The helper's whole program, run with `node -e`: it loads the binding by the absolute path the
 * parent resolved (so it works from a bundle, a container and Jest alike), answers hash/verify
 * requests over the IPC channel, and exits when the parent goes away.
 */
const HELPER_SOURCE = `
const argon2 = require(process.env.PANDORA_ARGON2_BINDING);
process.send({ ready: true });
process.on('message', (message) => {
  const work = message.op === 'hash'
    ? argon2.hash(message.password, message.options)
    : argon2.verify(message.hash, message.password);
  work.then(
    (value) => process.send({ id: message.id, ok: true, value }),
    (error) => process.send({ id: message.id, ok: false, error: String(error && error.message || error) }),
  );
});
process.on('disconnect', () => process.exit(0));
`;

/**
 * Argon2 in helper processes (ARGON2_WORKERS): measured in docs/benchmarks.md, a verify costs 10–20%
 * more CPU when the process that runs it also has a busy event loop (the binding maps 64 MiB and
 * starts its lane threads per call, and page faults and unmapping involve every thread of the
 * process). A helper process runs only hashes, on its own libuv pool, so user-api's event loop
 * and its hashes stop taxing each other. Same binding, same options: the PHC strings are identical.
 *
 * Requests go to the helper with the fewest in flight. A helper that dies is replaced and its
 * requests are sent again (hash and verify are pure). One that dies before it has started (the
 * binding does not load) fails its requests with Argon2HelperUnavailable and is retried after a
 * growing delay (up to 30 s), so a broken installation neither spins nor passes for a wrong
 * password. The IPC channels hold the parent's event loop
 * only while a request is in flight, so an idle pool never keeps a process (a CLI) alive, and a
 * helper exits by itself when its parent does.
 */
export class Argon2HelperPool {
  private readonly helpers: Helper[] = [];
  private nextId = 1;
  private closed = false;
  private failedStarts = 0;

  constructor(
    size: number,
    private readonly bindingPath: string = require.resolve('@node-rs/argon2'),
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error('Argon2HelperPool needs at least one helper');
    for (let index = 0; index < size; index++) this.helpers.push(this.startHelper());
  }

  hash(password: string, options: Argon2HashOptions): Promise<string> {
    return this.send({ op: 'hash', password, options }) as Promise<string>;
  }

  verify(hash: string, password: string): Promise<boolean> {
    return this.send({ op: 'verify', hash, password }) as Promise<boolean>;
  }

  /** The helpers' process ids (tests, and CPU accounting in the benchmark). */
  pids(): number[] {
    return this.helpers.map((helper) => helper.child.pid as number);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.helpers.map(async (helper) => {
        for (const pending of helper.pending.values()) pending.reject(new Argon2HelperUnavailable('Argon2 helper pool closed'));
        helper.pending.clear();
        if (helper.child.exitCode !== null || helper.child.signalCode !== null) return;
        const exited = new Promise((resolve) => helper.child.once('exit', resolve));
        helper.child.kill('SIGTERM');
        await exited;
      }),
    );
  }

  private send(request: Request): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Argon2HelperUnavailable('Argon2 helper pool closed'));
    const live = this.helpers.filter((candidate) => !candidate.dead);
    if (live.length === 0) return Promise.reject(new Argon2HelperUnavailable('no Argon2 helper process is running'));
    const helper = live.reduce((best, candidate) => (candidate.pending.size < best.pending.size ? candidate : best));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      helper.pending.set(id, { request, resolve, reject });
      this.dispatch(helper, id, request);
    });
  }

  private dispatch(helper: Helper, id: number, request: Request): void {
    channelOf(helper.child)?.ref();
    helper.child.send({ id, ...request });
  }

  private startHelper(): Helper {
    const child = spawn(process.execPath, ['-e', HELPER_SOURCE], {
      env: { PATH: process.env.PATH ?? '', PANDORA_ARGON2_BINDING: this.bindingPath },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    const helper: Helper = { child, pending: new Map(), ready: false, dead: false };
    channelOf(child)?.unref();
    child.unref();
    child.on('message', (reply: Reply | { ready: true }) => {
      if ('ready' in reply) {
        helper.ready = true;
        this.failedStarts = 0;
        return;
      }
      const pending = helper.pending.get(reply.id);
      if (!pending) return;
      helper.pending.delete(reply.id);
      if (helper.pending.size === 0) channelOf(child)?.unref();
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new Error(reply.error));
    });
    // A send to a helper that is going away fails here; its exit handler resends.
    child.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      helper.dead = true;
      if (this.closed) return;
      const replace = () => {
        if (this.closed) return;
        const replacement = this.startHelper();
        this.helpers[this.helpers.indexOf(helper)] = replacement;
        return replacement;
      };
      if (!helper.ready) {
        this.failedStarts++;
        const error = new Argon2HelperUnavailable(`an Argon2 helper process exited before it started (${signal ?? `exit code ${code}`})`);
        for (const pending of helper.pending.values()) pending.reject(error);
        helper.pending.clear();
        const delay = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** this.failedStarts);
        setTimeout(replace, delay).unref();
        return;
      }
      const replacement = replace() as Helper;
      for (const [id, pending] of helper.pending) {
        replacement.pending.set(id, pending);
        this.dispatch(replacement, id, pending.request);
      }
      helper.pending.clear();
    });
    return helper;
  }
}

function channelOf(child: ChildProcess): { ref(): void; unref(): void } | undefined {
  return (child as ChildProcess & { channel?: { ref(): void; unref(): void } }).channel;
}
