import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { AppError } from '@pandora/errors';
import { createTestDatabase, withPgClient, type TestDatabase } from '@pandora/testing';
import { createPrismaClient, createRepositories, directPoolOf, translateInfrastructureError, type PrismaClient } from '../src';

/**
 * A database that goes away after the app connected: the socket dies mid-query, connects hang, or
 * an administrator (or a failover) terminates the backend. Every shape those failures take — from
 * Prisma's model queries, its raw queries (P2010), its transactions and the direct pool reads —
 * must become 503 SERVICE_UNAVAILABLE, never a 500; real SQL errors must stay what they are.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** A TCP proxy in front of PostgreSQL that can cut every connection or stop answering. */
class FlakyProxy {
  private readonly sockets = new Set<net.Socket>();
  private blackhole = false;
  private readonly server: net.Server;

  private constructor(target: URL) {
    this.server = net.createServer((client) => this.accept(client, target));
  }

  static async start(target: URL): Promise<FlakyProxy> {
    const proxy = new FlakyProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  private accept(client: net.Socket, target: URL): void {
    client.on('error', () => undefined);
    this.sockets.add(client);
    if (this.blackhole) return;
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    upstream.on('error', () => undefined);
    this.sockets.add(upstream);
    client.pipe(upstream).pipe(client);
  }

  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String((this.server.address() as net.AddressInfo).port);
    return url.toString();
  }

  cutEverything(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  stopAnswering(): void {
    this.blackhole = true;
  }

  async close(): Promise<void> {
    this.cutEverything();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const failure = (work: () => Promise<unknown>): Promise<unknown> =>
  work().then(
    () => new Error('expected the query to fail'),
    (error: unknown) => error,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a slow statement, then breaks its connection while it runs; returns what it threw. */
async function failMidQuery(run: () => Promise<unknown>, breakConnection: () => Promise<unknown> | void): Promise<unknown> {
  const outcome = failure(run);
  await sleep(300);
  await breakConnection();
  return outcome;
}

function poolOf(prisma: PrismaClient) {
  const pool = directPoolOf(prisma);
  if (!pool) throw new Error('the client has not connected its pool');
  return pool;
}

function expectUnavailable(error: unknown): void {
  const translated = translateInfrastructureError(error);
  expect({ translated: translated?.code, original: String((error as Error)?.message).slice(-200) }).toMatchObject({
    translated: 'SERVICE_UNAVAILABLE',
  });
}

describe('a database connection that breaks after the app connected', () => {
  let proxy: FlakyProxy;
  let prisma: PrismaClient;

  beforeEach(async () => {
    proxy = await FlakyProxy.start(new URL(db.url));
    prisma = createPrismaClient({ url: proxy.urlFor(db.url), poolMax: 2, applicationName: 'infrastructure-errors-tests' });
    await prisma.$queryRaw`SELECT 1`;
  });
  afterEach(async () => {
    await prisma.$disconnect().catch(() => undefined);
    await proxy.close();
  });

  it('maps a socket cut in the middle of a raw query, a transaction or a direct pool read to SERVICE_UNAVAILABLE', async () => {
    const cut = () => proxy.cutEverything();
    expectUnavailable(await failMidQuery(() => prisma.$queryRaw`SELECT pg_sleep(5)`, cut));
    expectUnavailable(await failMidQuery(() => prisma.$executeRaw`SELECT pg_sleep(5)`, cut));
    expectUnavailable(await failMidQuery(() => prisma.$transaction(async (tx) => tx.$executeRaw`SELECT pg_sleep(5)`), cut));
    await prisma.$queryRaw`SELECT 1`;
    const pool = poolOf(prisma);
    expectUnavailable(await failMidQuery(() => pool.query('SELECT pg_sleep(5)'), cut));
  });

  it('gives a transaction’s connection back to the pool when it dies, so repeated blips never exhaust the pool', async () => {
    const pool = poolOf(prisma);
    // More broken transactions than the pool has connections (poolMax 2).
    for (let blip = 0; blip < 3; blip++) {
      expectUnavailable(
        await failMidQuery(
          () => prisma.$transaction(async (tx) => tx.$executeRaw`SELECT pg_sleep(5)`),
          () => proxy.cutEverything(),
        ),
      );
    }
    await sleep(100);
    expect({ total: pool.totalCount, idle: pool.idleCount }).toEqual({ total: 0, idle: 0 });
    const answered = await Promise.race([
      prisma.$transaction(async (tx) => tx.$queryRaw<Array<{ ok: number }>>`SELECT 1 AS ok`),
      sleep(5_000).then(() => 'the pool is exhausted'),
    ]);
    expect(answered).toEqual([{ ok: 1 }]);
    expect(await prisma.$queryRaw`SELECT 2 AS ok`).toEqual([{ ok: 2 }]);
  });

  it('maps a connect that hangs until the pool gives up to SERVICE_UNAVAILABLE', async () => {
    proxy.stopAnswering();
    proxy.cutEverything();
    expectUnavailable(await failure(() => prisma.$queryRaw`SELECT 1`));
    expectUnavailable(await failure(() => createRepositories(prisma).users.findById(randomUUID())));
  }, 30_000);

  it('maps a backend terminated by an administrator (57P01, as in a failover) to SERVICE_UNAVAILABLE', async () => {
    const terminate = () =>
      withPgClient(db.url, (client) =>
        client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'infrastructure-errors-tests'`),
      );
    const raw = await failMidQuery(() => prisma.$queryRaw`SELECT pg_sleep(5)`, terminate);
    expect((raw as { code?: string }).code).toBe('P2010');
    expectUnavailable(raw);
    expectUnavailable(await failMidQuery(() => prisma.$transaction(async (tx) => tx.$executeRaw`SELECT pg_sleep(5)`), terminate));
    await prisma.$queryRaw`SELECT 1`;
    const pool = poolOf(prisma);
    expectUnavailable(await failMidQuery(() => pool.query('SELECT pg_sleep(5)'), terminate));
  });
});

describe('errors that are not about availability', () => {
  it('stay untranslated: SQL errors, constraint violations, timeouts of our own statements', async () => {
    const prisma = createPrismaClient({ url: db.url, poolMax: 1, applicationName: 'infrastructure-errors-sql' });
    try {
      const syntax = await failure(() => prisma.$queryRawUnsafe('SELEC 1'));
      const division = await failure(() => prisma.$queryRaw`SELECT 1 / 0`);
      const cancelled = await failure(() =>
        prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = '50ms'`);
          await tx.$queryRaw`SELECT pg_sleep(1)`;
        }),
      );
      const missingTable = await failure(() => prisma.$queryRawUnsafe('SELECT * FROM no_such_table'));
      for (const error of [syntax, division, cancelled, missingTable]) {
        expect(error).toBeInstanceOf(Error);
        expect(translateInfrastructureError(error)).toBeNull();
      }
    } finally {
      await prisma.$disconnect();
    }
  });

  it('passes an AppError through unchanged', () => {
    const error = new AppError('USER_NOT_FOUND');
    expect(translateInfrastructureError(error)).toBe(error);
    expect(translateInfrastructureError(new Error('Connection terminated because the user asked nicely'))).toBeNull();
  });
});
