import { randomUUID } from 'node:crypto';
import { buildUserApiConfig } from '@pandora/config';
import type { RequestContext, UnitOfWork } from '@pandora/domain';
import { createUseCases, type UseCases } from '@pandora/use-cases';
import { createPorts } from '@pandora/wiring';

/**
 * The real domain use cases over real PostgreSQL, wired by user-api's own adapter factory (cheap
 * Argon2 parameters): what the API does to the outbox, without an HTTP hop. Used where a test
 * needs state changes that no HTTP route offers yet (a compliance KYC decision) or needs many of them.
 */
export interface Domain {
  useCases: UseCases;
  uow: UnitOfWork;
  close(): Promise<void>;
}

export async function createDomain(databaseUrl: string): Promise<Domain> {
  const config = buildUserApiConfig({
    APP_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '5',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    JWT_REFRESH_TOKEN_EXPIRY: '1h',
    SESSION_ABSOLUTE_LIFETIME: '2h',
    AUDIT_RETENTION_DAYS: '30',
  });
  const { ports, database } = await createPorts(config, { applicationName: 'event-relay-tests' });
  return { useCases: createUseCases(ports), uow: ports.uow, close: () => database.close() };
}

export function requestContext(requestId: string): RequestContext {
  return { requestId, ipAddress: '203.0.113.9', userAgent: 'relay-tests/1.0', traceparent: null };
}

export const PASSWORD = 'correct horse battery staple';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${randomUUID().slice(0, 8)}@example.com`;
}
