import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';

/**
 * Prisma's typed client, for tests that read or seed rows. The apps do not use it (they run typed
 * SQL through `Database` in data-access); tests still do where they were written against it.
 * Prisma's driver adapter writes and reads timestamps as UTC without an offset, so the session
 * must be in UTC.
 */
export function createTestPrismaClient(url: string, applicationName = 'tests'): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: 3, application_name: applicationName, options: '-c TimeZone=UTC' }),
  });
}

export type { PrismaClient } from '@prisma/client';
