import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { AppError } from '@pandora/errors';
import { createTestDatabase, withPgClient, type TestDatabase } from '@pandora/testing';
import { createRepositories, Database, translateInfrastructureError } from '../src';

/**
 * A database that goes away after the app connected: the socket dies mid-query, connects hang, or
 * an administrator (or a failover) terminates the backend. Every shape those failures take — on the
 * pool and inside transactions — must become 503 SERVICE_UNAVAILABLE, never a 500; real SQL errors
 * must stay what they are.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/**
 * A TCP proxy in front of PostgreSQL that can cut every connection, stop answering, or lose the
 * server's side closing (as a network path that drops the FIN and the reset would).
 */
class FlakyProxy {
  private readonly sockets = new Set<net.Socket>();
  private blackhole = false;
  private losingServerCloses = false;
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
    this.sockets.add(upstream);
    client.pipe(upstream);
    // The server closing its side reaches the app as a TCP proxy forwards it: a FIN as a FIN, a
    // reset as a reset — unless the test asked the proxy to lose it.
    upstream.pipe(client, { end: false });
    upstream.on('end', () => {
      if (!this.losingServerCloses) client.end();
    });
    upstream.on('error', () => {
      if (!this.losingServerCloses) client.destroy();
    });
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

  loseServerCloses(): void {
    this.losingServerCloses = true;
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
const APPLICATION = 'infrastructure-errors-tests';

/** Polls `condition` until it holds, failing after `timeoutMs`. */
async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** `promise`, or a failure naming `what` if it has not settled after `timeoutMs`. */
async function settlesWithin<T>(what: string, promise: Promise<T>, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Has PostgreSQL end every session of this test's connections, as an administrator or a failover would. */
const terminateOurBackends = () =>
  withPgClient(db.url, (client) =>
    client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [APPLICATION]),
  );

/** True once the server is running a pg_sleep statement of this test's connections. */
const sleepingStatementRuns = () =>
  withPgClient(db.url, async (client) => {
    const { rows } = await client.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE '%pg_sleep%'`,
      [APPLICATION],
    );
    return rows.length > 0;
  });

/** Starts a slow statement, waits until the server runs it, then breaks its connection; returns what it threw. */
async function failMidQuery(run: () => Promise<unknown>, breakConnection: () => Promise<unknown> | void): Promise<unknown> {
  const outcome = failure(run);
  await waitFor('the statement to run', sleepingStatementRuns);
  await breakConnection();
  return outcome;
}

function expectUnavailable(error: unknown): void {
  const translated = translateInfrastructureError(error);
  expect({ translated: translated?.code, original: String((error as Error)?.message).slice(-200) }).toMatchObject({
    translated: 'SERVICE_UNAVAILABLE',
  });
}

describe('a database connection that breaks after the app connected', () => {
  let proxy: FlakyProxy;
  let database: Database;

  beforeEach(async () => {
    proxy = await FlakyProxy.start(new URL(db.url));
    database = new Database({ url: proxy.urlFor(db.url), poolMax: 2, applicationName: APPLICATION });
    await database.query('SELECT 1');
  });
  afterEach(async () => {
    await database.close().catch(() => undefined);
    await proxy.close();
  });

  it('maps a socket cut in the middle of a pool query or a transaction to SERVICE_UNAVAILABLE', async () => {
    const cut = () => proxy.cutEverything();
    expectUnavailable(await failMidQuery(() => database.query('SELECT pg_sleep(5)'), cut));
    expectUnavailable(await failMidQuery(() => database.transaction((tx) => tx.query('SELECT pg_sleep(5)')), cut));
  });

  it('gives a transaction’s connection back to the pool when it dies, so repeated blips never exhaust the pool', async () => {
    // More broken transactions than the pool has connections (poolMax 2).
    for (let blip = 0; blip < 3; blip++) {
      expectUnavailable(
        await failMidQuery(
          () => database.transaction((tx) => tx.query('SELECT pg_sleep(5)')),
          () => proxy.cutEverything(),
        ),
      );
    }
    await waitFor('the broken connections to leave the pool', () => database.pool.totalCount === 0);
    expect({ total: database.pool.totalCount, idle: database.pool.idleCount }).toEqual({ total: 0, idle: 0 });
    const answered = await database.transaction((tx) => tx.query<{ ok: number }>('SELECT 1 AS ok'));
    expect(answered.rows).toEqual([{ ok: 1 }]);
    expect((await database.query('SELECT 2 AS ok')).rows).toEqual([{ ok: 2 }]);
  });

  it('maps a connect that hangs until the pool gives up to SERVICE_UNAVAILABLE', async () => {
    proxy.stopAnswering();
    proxy.cutEverything();
    expectUnavailable(await failure(() => database.query('SELECT 1')));
    expectUnavailable(await failure(() => createRepositories(database).users.findById(randomUUID())));
    expectUnavailable(await failure(() => database.transaction((tx) => tx.query('SELECT 1'))));
  }, 30_000);

  it('maps a backend terminated by an administrator (57P01, as in a failover) to SERVICE_UNAVAILABLE', async () => {
    const onPool = await failMidQuery(() => database.query('SELECT pg_sleep(5)'), terminateOurBackends);
    expect((onPool as { code?: string }).code).toBe('57P01');
    expectUnavailable(onPool);
    expectUnavailable(await failMidQuery(() => database.transaction((tx) => tx.query('SELECT pg_sleep(5)')), terminateOurBackends));
  });

  it('destroys a transaction’s connection that the server ended instead of rolling back on it, even if the close never arrives', async () => {
    // The server's FATAL answer arrives; its closing the socket does not. A ROLLBACK sent on that
    // connection would never be answered: the transaction would hang and keep its pool slot.
    proxy.loseServerCloses();
    const ended = await settlesWithin(
      'the transaction',
      failMidQuery(() => database.transaction((tx) => tx.query('SELECT pg_sleep(5)')), terminateOurBackends),
    );
    expect((ended as { code?: string }).code).toBe('57P01');
    expectUnavailable(ended);
    await waitFor('the ended connection to leave the pool', () => database.pool.totalCount === 0);
    expect((await database.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});

describe('errors that are not about availability', () => {
  it('stay untranslated: SQL errors, constraint violations, timeouts of our own statements', async () => {
    const database = new Database({ url: db.url, poolMax: 1, applicationName: 'infrastructure-errors-sql' });
    try {
      const syntax = await failure(() => database.query('SELEC 1'));
      const division = await failure(() => database.query('SELECT 1 / 0'));
      const cancelled = await failure(() =>
        database.transaction(async (tx) => {
          await tx.query(`SET LOCAL statement_timeout = '50ms'`);
          await tx.query('SELECT pg_sleep(1)');
        }),
      );
      const missingTable = await failure(() => database.query('SELECT * FROM no_such_table'));
      for (const error of [syntax, division, cancelled, missingTable]) {
        expect(error).toBeInstanceOf(Error);
        expect(translateInfrastructureError(error)).toBeNull();
      }
    } finally {
      await database.close();
    }
  });

  it('passes an AppError through unchanged', () => {
    const error = new AppError('USER_NOT_FOUND');
    expect(translateInfrastructureError(error)).toBe(error);
    expect(translateInfrastructureError(new Error('Connection terminated because the user asked nicely'))).toBeNull();
  });
});
