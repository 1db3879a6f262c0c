import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databaseUrlFor, freePort, withPgClient } from './test-infrastructure';

export interface PrivatePgBouncerOptions {
  /** The PostgreSQL server to pool (a URL; its host, port and user are used, every database is served). */
  upstreamUrl: string;
  /** `transaction` (the mode that breaks session state) unless told otherwise. */
  poolMode?: 'transaction' | 'session' | 'statement';
  /** Server connections per database/user pair. */
  poolSize?: number;
  /** Start-up parameters to accept and drop; none by default, so a client that sends one is refused. */
  ignoreStartupParameters?: string[];
}

const INSTALL_HINT =
  'install the Debian package `pgbouncer` (apt-get install -y pgbouncer, and stop the service it starts), or set PGBOUNCER_BIN';

/** The pgbouncer binary: PGBOUNCER_BIN, the PATH, or Debian's /usr/sbin (not on every user's PATH). */
function pgbouncerBinary(): string {
  const candidates = [process.env.PGBOUNCER_BIN, 'pgbouncer', '/usr/sbin/pgbouncer'].filter(
    (candidate): candidate is string => !!candidate,
  );
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) return candidate;
  }
  throw new Error(`pgbouncer is not installed here (tried ${candidates.join(', ')}): ${INSTALL_HINT}`);
}

/**
 * A private PgBouncer on a free port in a temporary directory, in front of the test PostgreSQL:
 * what a production deployment with transaction pooling looks like to the apps. `auth_type =
 * trust`, every database of the upstream served under its own name (`url(name)`).
 */
export class PrivatePgBouncer {
  private child: ChildProcess | null = null;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(options: PrivatePgBouncerOptions): Promise<PrivatePgBouncer> {
    const binary = pgbouncerBinary();
    const upstream = new URL(options.upstreamUrl);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pandora-pgbouncer-'));
    const server = new PrivatePgBouncer(await freePort(), dir);
    const user = decodeURIComponent(upstream.username || 'postgres');
    const ini = [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port || '5432'} user=${user}`,
      '',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${server.port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      `pool_mode = ${options.poolMode ?? 'transaction'}`,
      `default_pool_size = ${options.poolSize ?? 5}`,
      'max_client_conn = 500',
      `ignore_startup_parameters = ${(options.ignoreStartupParameters ?? []).join(',')}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), ini);
    fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" ""\n`);
    // PgBouncer refuses to run as root: then it drops to the `postgres` user, which must read the directory.
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (asRoot) spawnSync('chown', ['-R', 'postgres:', dir]);
    const args = [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    server.child = child;
    child.stdout?.on('data', (chunk) => (server.output += chunk));
    child.stderr?.on('data', (chunk) => (server.output += chunk));
    child.once('exit', () => {
      if (server.child === child) server.child = null;
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ready = await withPgClient(server.url('postgres'), async (client) => (await client.query('SELECT 1')).rowCount === 1).catch(
        () => false,
      );
      if (ready) return server;
      if (!server.child || Date.now() > deadline) {
        const log = fs.existsSync(path.join(dir, 'pgbouncer.log')) ? fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : '';
        await server.destroy();
        throw new Error(`pgbouncer did not come up on port ${server.port}:\n${server.output}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50)); // poll step of a wait with a deadline, not a sleep the test depends on
    }
  }

  /** The URL of `database` through this PgBouncer. */
  url(database: string): string {
    return databaseUrlFor(`postgresql://postgres@127.0.0.1:${this.port}/postgres`, database);
  }

  /** What PgBouncer logged (refused clients, pool events): for a failing test's message. */
  log(): string {
    const file = path.join(this.dir, 'pgbouncer.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  }

  async destroy(): Promise<void> {
    const child = this.child;
    if (child) {
      const exited = once(child, 'exit');
      // Nothing to flush, and SIGTERM's meaning changed between PgBouncer versions (immediate, then "super safe").
      child.kill('SIGKILL');
      await exited;
      this.child = null;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
