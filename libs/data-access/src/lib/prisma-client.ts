import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from '@prisma/client';
import pg from 'pg';

export type Db = PrismaClient | Prisma.TransactionClient;

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  /** Shows up in pg_stat_activity, so a DBA can tell the apps apart. */
  applicationName: string;
}

/**
 * The driver adapter, noting the pool of its live connection: Prisma connects the adapter on its
 * first query and disposes of it (ending its pool) on $disconnect(); `current` follows both.
 */
class PoolSharingPrismaPg extends PrismaPg {
  current: pg.Pool | null = null;

  override async connect(): ReturnType<PrismaPg['connect']> {
    const adapter = await super.connect();
    const pool = adapter.underlyingDriver();
    this.current = pool;
    releaseDeadTransactionConnections(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (this.current === pool) this.current = null;
      await dispose();
    };
    return adapter;
  }
}

type ConnectedAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * @prisma/adapter-pg 6.19 hands each interactive transaction its own pooled connection and gives
 * it back only in commit()/rollback(); when the socket dies mid-transaction (a failover, a network
 * cut) Prisma's ROLLBACK fails and the connection is never returned: the pool shrinks by one for
 * good, and after poolMax such blips every query waits forever (measured; the infrastructure-errors
 * tests reproduce it). So a transaction connection that ends is released here, as broken, and the
 * adapter's own later release becomes a no-op.
 */
function releaseDeadTransactionConnections(adapter: ConnectedAdapter): void {
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const transaction = await startTransaction(isolationLevel);
    const connection = (transaction as unknown as { client?: pg.PoolClient }).client;
    if (!connection || typeof connection.release !== 'function') return transaction;
    const releaseToPool = connection.release.bind(connection);
    let released = false;
    const releaseOnce = (error?: Error | boolean): void => {
      if (released) return;
      released = true;
      connection.removeListener('end', onEnd);
      releaseToPool(error);
    };
    const onEnd = (): void => releaseOnce(new Error('the transaction connection ended'));
    connection.once('end', onEnd);
    connection.release = releaseOnce;
    return transaction;
  };
}

const adapters = new WeakMap<object, PoolSharingPrismaPg>();

/** The application's Prisma client: the Rust-free client over node-postgres (no native engine). */
export function createPrismaClient(options: DatabaseOptions): PrismaClient {
  const adapter = new PoolSharingPrismaPg({
    connectionString: options.url,
    max: options.poolMax,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // The adapter sends Date parameters as timestamps without an offset and reads timestamptz back
    // as if it were UTC: only a UTC session makes both exact whatever the server's TimeZone is.
    options: '-c TimeZone=UTC',
  });
  const client = new PrismaClient({ adapter });
  adapters.set(client, adapter);
  return client;
}

/**
 * The node-postgres pool under a client made by createPrismaClient — the very connections Prisma
 * uses — or null (a transaction client, a client made elsewhere, a client that has not connected
 * yet or has been disconnected: then Prisma runs the query, connecting as it always does).
 * Hot single-statement reads outside transactions run their hand-written SQL on it: Prisma's client
 * compiles every query through its WASM query compiler, which costs several times the query itself
 * on the per-request paths (docs/benchmarks.md has the measurements). Errors are then the driver's
 * own; translateInfrastructureError knows both kinds.
 */
export function directPoolOf(db: Db): pg.Pool | null {
  const pool = adapters.get(db)?.current;
  return pool && !pool.ending ? pool : null;
}
