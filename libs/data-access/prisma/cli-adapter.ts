/**
 * Driver adapter used ONLY by the Prisma CLI (migrate/diff/validate), loaded from prisma.config.ts.
 *
 * Prisma 6.19 runs its schema engine as WASM through a JS driver adapter (no native binary download,
 * which this network forbids). The stock `@prisma/adapter-pg` has three bugs on that path; each fix
 * below is the smallest override that makes `migrate deploy|dev|diff|status` correct:
 *
 *  1. prisma/orm#27403 — introspection selects pg_catalog columns of types the adapter cannot map
 *     (`name`, `"char"`, `regproc`, …) and fails. We relabel those result columns as `text`.
 *  2. `executeScript` splits on `;`, which breaks `$$ … $$` function bodies and DO blocks that our
 *     trigger migrations need. We send the script whole (simple-query protocol runs it atomically
 *     statement by statement).
 *  3. The shadow database pool re-used the main connection string (connectionString wins over
 *     `database` in node-postgres) and the database was dropped before its pool was closed.
 *
 * The application itself never loads this file; it uses the plain PrismaPg adapter.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

const TEXT_OID = 25;
const CHAR_OID = 18; // PostgreSQL's one-byte "char" (pg_constraint.contype and friends)
const CHARACTER_COLUMN_TYPE = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils
// Built-in OIDs the stock adapter maps itself (scalars and arrays). Everything else below
// FirstNormalObjectId (10000) is a catalog type it throws on, so we present it as text.
const MAPPED_OIDS = new Set([
  16, 17, 20, 21, 23, 25, 26, 114, 142, 650, 700, 701, 790, 869, 1042, 1043, 1082, 1083, 1114, 1184, 1266, 1560, 1562, 1700, 2950, 3802,
  1561, 1000, 1001, 1014, 1002, 651, 1182, 1021, 1022, 1041, 1005, 1007, 1016, 3807, 199, 791, 1231, 1028, 1009, 1115, 1185, 1183, 2951,
  1563, 1015, 143,
]);

type Field = { dataTypeID: number };
type PgResult = { fields: Field[]; rows: unknown[] };
// A multi-statement text (a whole migration applied to the shadow database) yields one result per statement.
type PerformIO = (query: unknown) => Promise<PgResult | PgResult[]>;
type QueryRaw = (query: unknown) => Promise<{ columnTypes: number[]; rows: unknown[] }>;
type Patchable = { performIO: PerformIO; queryRaw: QueryRaw };

function relabelCatalogColumns(target: object): void {
  const queryable = target as unknown as Patchable;
  // The schema engine reads `"char"` columns as Character, which the stock adapter has no mapping
  // for: remember which columns were `"char"` (keyed by the rows array queryRaw passes through).
  const charColumnsByRows = new WeakMap<unknown[], number[]>();
  const performIO = queryable.performIO.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    for (const statementResult of Array.isArray(result) ? result : [result]) {
      const charColumns: number[] = [];
      (statementResult.fields ?? []).forEach((field, index) => {
        if (field.dataTypeID === CHAR_OID) charColumns.push(index);
        if (field.dataTypeID < 10000 && !MAPPED_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
      });
      if (charColumns.length > 0 && Array.isArray(statementResult.rows)) {
        charColumnsByRows.set(statementResult.rows, charColumns);
      }
    }
    return result;
  };
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumnsByRows.get(result.rows) ?? []) result.columnTypes[index] = CHARACTER_COLUMN_TYPE;
    return result;
  };
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

function patchAdapter(adapter: Adapter, pool: pg.Pool): Adapter {
  relabelCatalogColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const tx = await startTransaction(isolationLevel);
    relabelCatalogColumns(tx);
    return tx;
  };
  adapter.executeScript = async (script: string) => {
    await pool.query(script);
  };
  return adapter;
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export class PrismaCliPgAdapter extends PrismaPg {
  private readonly connectionString: string;

  constructor(connectionString: string) {
    super({ connectionString, max: 4, allowExitOnIdle: true });
    this.connectionString = connectionString;
  }

  override async connect(): Promise<Adapter> {
    const pool = new pg.Pool({ connectionString: this.connectionString, max: 4, allowExitOnIdle: true });
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    return patchAdapter(adapter, pool);
  }

  override async connectToShadowDb(): Promise<Adapter> {
    const database = `prisma_shadow_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: this.connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
    const shadowPool = new pg.Pool({ connectionString: withDatabase(this.connectionString, database), max: 4, allowExitOnIdle: true });
    const adapter = await new PrismaPg(shadowPool).connect();
    patchAdapter(adapter, shadowPool);
    adapter.dispose = async () => {
      // Close our own connections first: PostgreSQL refuses to drop a database that is in use.
      await shadowPool.end();
      const dropper = new pg.Client({ connectionString: this.connectionString });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    };
    return adapter;
  }
}
