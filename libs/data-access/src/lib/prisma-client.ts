import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '@prisma/client';

export type Db = PrismaClient | Prisma.TransactionClient;

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  /** Shows up in pg_stat_activity, so a DBA can tell the apps apart. */
  applicationName: string;
}

/** The application's Prisma client: the Rust-free client over node-postgres (no native engine). */
export function createPrismaClient(options: DatabaseOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolMax,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // The adapter sends Date parameters as timestamps without an offset and reads timestamptz back
    // as if it were UTC: only a UTC session makes both exact whatever the server's TimeZone is.
    options: '-c TimeZone=UTC',
  });
  return new PrismaClient({ adapter });
}

/** Nullable JSON columns need Prisma's DbNull marker instead of JS null. */
export function jsonOrNull(value: Record<string, unknown> | null): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue);
}
