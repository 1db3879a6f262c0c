import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort, withPgClient } from './test-infrastructure';

/**
 * Private PostgreSQL and Redis servers for fault-injection tests: each runs on its own free port
 * in a temporary directory, and can be killed and started again without touching the shared
 * servers other suites (and other engineers) use.
 */

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll step of a wait with a deadline, not a sleep the test depends on
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly durable: boolean,
  ) {}

  /**
   * `durable`: append-only file fsynced on every write, so that what Redis acknowledged survives
   * a kill -9 (the way a production Redis holding a stream is configured).
   */
  static async start(options: { durable?: boolean } = {}): Promise<PrivateRedis> {
    const server = new PrivateRedis(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'pandora-redis-')), options.durable ?? false);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts the server (again) on the same port and directory. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('the private Redis is already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--daemonize', 'no'];
    args.push(...(this.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    await waitUntil(async () => {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined); // refused connections are expected until the server is up
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, `redis-server on port ${this.port}`);
  }

  /** kill -9: no shutdown, no final save. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async destroy(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export class PrivatePostgres {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** initdb + start. PostgreSQL refuses to run as root: then it runs as the `postgres` user. */
  static async start(): Promise<PrivatePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pandora-pg-'));
    const server = new PrivatePostgres(await freePort(), dir);
    if (PrivatePostgres.asRoot()) spawnSync('chown', ['postgres:', dir]);
    server.run('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await server.restart();
    return server;
  }

  private static asRoot(): boolean {
    return typeof process.getuid === 'function' && process.getuid() === 0;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private run(binary: string, args: string[]): void {
    const command = path.join(PG_BIN, binary);
    const result = PrivatePostgres.asRoot()
      ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' })
      : spawnSync(command, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${binary} failed: ${result.stderr || result.stdout}`);
  }

  async restart(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
    this.run('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '30', 'start']);
    this.running = true;
    await waitUntil(
      () => withPgClient(this.url, async (client) => (await client.query('SELECT 1')).rowCount === 1),
      `PostgreSQL on port ${this.port}`,
    );
  }

  /** `pg_ctl stop -m immediate`: every backend is killed at once, as in a crash. */
  async crash(): Promise<void> {
    if (!this.running) return;
    this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    this.running = false;
  }

  async destroy(): Promise<void> {
    await this.crash();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
