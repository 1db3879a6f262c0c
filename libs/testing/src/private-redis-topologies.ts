import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort } from './test-infrastructure';

/**
 * A private Redis Cluster and a private Sentinel-managed master/replica pair, on free ports in a
 * temporary directory, for the topology suites: their nodes can be killed and failed over without
 * touching the shared Redis. Nothing is persisted (a killed node comes back empty, as in a crash
 * of a node without an append-only file).
 */

const POLL_MS = 50; // poll step of the deadline waits below, not a sleep a test depends on

async function waitFor<T>(check: () => Promise<T | false | null | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const result = await check();
      if (result) return result;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

/** Runs one command on one server over a short-lived connection. */
export async function redisCommand(port: number, command: string, ...args: Array<string | number>): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

class ServerProcess {
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    private readonly args: string[],
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn('redis-server', this.args, { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    await waitFor(async () => (await redisCommand(this.port, 'PING')) === 'PONG', `redis on port ${this.port}`, 15_000);
  }

  /** kill -9: no shutdown, no failover handshake. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }
}

function dataNodeArgs(port: number, dir: string, extra: string[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...extra];
}

export interface ClusterNodeInfo {
  port: number;
  role: 'master' | 'replica';
}

/** 3 masters, each with `replicasPerMaster` replicas (default 1), formed with `redis-cli --cluster create`. */
export class PrivateRedisCluster {
  private constructor(
    private readonly dir: string,
    private readonly servers: ServerProcess[],
  ) {}

  static async start(options: { masters?: number; replicasPerMaster?: number; nodeTimeoutMs?: number } = {}): Promise<PrivateRedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 1;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pandora-redis-cluster-'));
    const servers: ServerProcess[] = [];
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freePort();
      servers.push(
        new ServerProcess(
          port,
          dataNodeArgs(port, path.join(dir, String(port)), [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            path.join(dir, String(port), 'nodes.conf'),
            // Short, so that a killed master's replica takes over in about a second.
            '--cluster-node-timeout',
            String(options.nodeTimeoutMs ?? 1_000),
          ]),
        ),
      );
    }
    const cluster = new PrivateRedisCluster(dir, servers);
    try {
      await Promise.all(servers.map((server) => server.start()));
      await cluster.create(replicas);
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  private async create(replicas: number): Promise<void> {
    const child = spawn(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...this.servers.map((server) => `127.0.0.1:${server.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}): ${output}`);
    await this.waitUntilHealthy();
  }

  /** Every live node sees all slots served and every replica is in sync with its master. */
  async waitUntilHealthy(timeoutMs = 20_000): Promise<void> {
    await waitFor(
      async () => {
        for (const server of this.servers.filter((candidate) => candidate.running)) {
          const info = String(await redisCommand(server.port, 'CLUSTER', 'INFO'));
          if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return false;
          const role = (await redisCommand(server.port, 'ROLE')) as unknown[];
          if (role[0] === 'slave' && role[3] !== 'connected') return false;
        }
        return true;
      },
      'a healthy Redis Cluster',
      timeoutMs,
    );
  }

  /** REDIS_CLUSTER_NODES for an app: every node as a seed. */
  get nodesVariable(): string {
    return this.servers.map((server) => `127.0.0.1:${server.port}`).join(',');
  }

  get ports(): number[] {
    return this.servers.map((server) => server.port);
  }

  /** The port of the master serving `key`'s slot, asked of any live node. */
  async masterOf(key: string): Promise<number> {
    const live = this.servers.find((server) => server.running);
    if (!live) throw new Error('no node is running');
    const slot = Number(await redisCommand(live.port, 'CLUSTER', 'KEYSLOT', key));
    const ranges = (await redisCommand(live.port, 'CLUSTER', 'SLOTS')) as Array<
      [number, number, [string, number, ...unknown[]], ...unknown[]]
    >;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot}`);
    return Number(range[2][1]);
  }

  /** The node (a master) is killed -9; resolves once another node has taken over its slots. */
  async killMasterOf(key: string, timeoutMs = 20_000): Promise<{ killed: number; promoted: number }> {
    const killed = await this.masterOf(key);
    await this.kill(killed);
    const promoted = await waitFor(
      async () => {
        const port = await this.masterOf(key);
        return port !== killed ? port : false;
      },
      `a replica promoted in place of ${killed}`,
      timeoutMs,
    );
    await waitFor(
      async () => {
        const info = String(await redisCommand(promoted, 'CLUSTER', 'INFO'));
        return /cluster_state:ok/.test(info);
      },
      'the cluster back in state ok',
      timeoutMs,
    );
    return { killed, promoted };
  }

  async kill(port: number): Promise<void> {
    const server = this.servers.find((candidate) => candidate.port === port);
    if (!server) throw new Error(`no node on port ${port}`);
    await server.kill();
  }

  async destroy(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.kill()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One master, one replica and three sentinels that agree (quorum 2) on failing it over. */
export class PrivateRedisSentinel {
  static readonly MASTER_NAME = 'pandora';

  private constructor(
    private readonly dir: string,
    private readonly dataNodes: ServerProcess[],
    private readonly sentinels: ServerProcess[],
  ) {}

  static async start(options: { downAfterMs?: number } = {}): Promise<PrivateRedisSentinel> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pandora-redis-sentinel-'));
    const masterPort = await freePort();
    const replicaPort = await freePort();
    const master = new ServerProcess(masterPort, dataNodeArgs(masterPort, path.join(dir, String(masterPort)), []));
    const replica = new ServerProcess(
      replicaPort,
      dataNodeArgs(replicaPort, path.join(dir, String(replicaPort)), ['--replicaof', '127.0.0.1', String(masterPort)]),
    );
    const sentinels: ServerProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const sentinelDir = path.join(dir, `sentinel-${port}`);
      fs.mkdirSync(sentinelDir, { recursive: true });
      const file = path.join(sentinelDir, 'sentinel.conf');
      // Sentinel rewrites this file as it learns the topology, so it lives in the temporary directory.
      fs.writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${sentinelDir}`,
          `sentinel monitor ${PrivateRedisSentinel.MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${PrivateRedisSentinel.MASTER_NAME} ${options.downAfterMs ?? 1_000}`,
          `sentinel failover-timeout ${PrivateRedisSentinel.MASTER_NAME} 10000`,
          `sentinel parallel-syncs ${PrivateRedisSentinel.MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(new ServerProcess(port, [file, '--sentinel']));
    }
    const setup = new PrivateRedisSentinel(dir, [master, replica], sentinels);
    try {
      await master.start();
      await replica.start();
      await setup.waitForReplicaInSync(replicaPort);
      await Promise.all(sentinels.map((sentinel) => sentinel.start()));
      await setup.waitForSentinelsToAgree(masterPort);
    } catch (error) {
      await setup.destroy();
      throw error;
    }
    return setup;
  }

  /** REDIS_SENTINELS for an app. */
  get sentinelsVariable(): string {
    return this.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',');
  }

  /** The app environment of this topology (REDIS_URL cleared). */
  get env(): Record<string, string> {
    return { REDIS_URL: '', REDIS_SENTINELS: this.sentinelsVariable, REDIS_SENTINEL_MASTER: PrivateRedisSentinel.MASTER_NAME };
  }

  get dataPorts(): number[] {
    return this.dataNodes.map((node) => node.port);
  }

  /** The master's port as the sentinels report it. */
  async masterPort(): Promise<number> {
    const first = this.sentinels[0] as ServerProcess;
    const [, port] = (await redisCommand(first.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', PrivateRedisSentinel.MASTER_NAME)) as [
      string,
      string,
    ];
    return Number(port);
  }

  /** Resolves once the node on `replicaPort` is a replica connected to its master. */
  async waitForReplicaInSync(replicaPort: number, timeoutMs = 15_000): Promise<void> {
    await waitFor(
      async () => ((await redisCommand(replicaPort, 'ROLE')) as unknown[])[3] === 'connected',
      `the replica on ${replicaPort} in sync`,
      timeoutMs,
    );
  }

  private async waitForSentinelsToAgree(masterPort: number): Promise<void> {
    await waitFor(
      async () => {
        for (const sentinel of this.sentinels) {
          const [, port] = (await redisCommand(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', PrivateRedisSentinel.MASTER_NAME)) as [
            string,
            string,
          ];
          if (Number(port) !== masterPort) return false;
          // Each sentinel must know the replica (to promote it) and its peers (for the quorum).
          const replicas = (await redisCommand(sentinel.port, 'SENTINEL', 'REPLICAS', PrivateRedisSentinel.MASTER_NAME)) as unknown[];
          const peers = (await redisCommand(sentinel.port, 'SENTINEL', 'SENTINELS', PrivateRedisSentinel.MASTER_NAME)) as unknown[];
          if (replicas.length < 1 || peers.length < 2) return false;
        }
        return true;
      },
      'three sentinels agreeing on the master',
      20_000,
    );
  }

  /**
   * `SENTINEL FAILOVER`: the replica is promoted and the old master is made its replica (it drops
   * whatever it had that the replica had not). Resolves with both ports once the new master is
   * writable; the sentinels turn the old master into a replica shortly after (up to their next
   * look at it: `waitForReplicaInSync(oldMaster)`).
   */
  async failover(timeoutMs = 20_000): Promise<{ oldMaster: number; newMaster: number }> {
    const oldMaster = await this.masterPort();
    const first = this.sentinels[0] as ServerProcess;
    await redisCommand(first.port, 'SENTINEL', 'FAILOVER', PrivateRedisSentinel.MASTER_NAME);
    const newMaster = await waitFor(
      async () => {
        const port = await this.masterPort();
        if (port === oldMaster) return false;
        return ((await redisCommand(port, 'ROLE')) as unknown[])[0] === 'master' ? port : false;
      },
      'the sentinels promoting the replica',
      timeoutMs,
    );
    return { oldMaster, newMaster };
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.dataNodes].map((server) => server.kill()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
