import { buildUserApiConfig } from '@pandora/config';
import { createLogger } from '@pandora/observability';
import { PassThrough } from 'node:stream';
import { createUserApi } from '../../composition-root';

/**
 * The OpenAPI documents of both listeners, built from the real route definitions of an app that
 * never connects anywhere (the database and Redis are touched lazily, and not at all here).
 */
export async function openApiDocuments(): Promise<{ public: unknown; admin: unknown }> {
  const config = buildUserApiConfig({
    APP_ENV: 'test',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_PARALLELISM: '1',
    // The documents describe the admin listener as deployed (sandbox, audit, prod): MFA required.
    ADMIN_MFA_REQUIRED: 'true',
    // Nothing listens here: the documents do not depend on a connection.
    REDIS_URL: 'redis://127.0.0.1:1/0',
  });
  const api = await createUserApi(config, { logger: createLogger({ service: 'openapi', level: 'error', stream: new PassThrough() }) });
  try {
    return { public: api.publicApp.openApiDocument(), admin: api.adminApp.openApiDocument() };
  } finally {
    await api.close();
  }
}

export const OPENAPI_FILES = { public: 'user-api.public.json', admin: 'user-api.admin.json' } as const;

export function serialize(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
