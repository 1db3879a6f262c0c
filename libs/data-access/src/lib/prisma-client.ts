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
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (this.current === pool) this.current = null;
      await dispose();
    };
    return adapter;
  }
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
