/**
 * Prisma CLI configuration. Prisma 6.19 with the WASM schema engine behind a driver adapter, so
 * that `migrate`, `diff` and `generate` never download native engines (see ARCHITECTURE.md, Database, and
 * libs/data-access/prisma/cli-adapter.ts).
 */
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaCliPgAdapter } from './libs/data-access/prisma/cli-adapter';

// Any existing file stops the CLI from trying to download engines it will not use.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= __filename;
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= __filename;
process.env.PRISMA_HIDE_UPDATE_MESSAGE ??= '1';

// The WASM engine leaves long timers behind that keep the CLI alive for up to a minute after it
// has finished; unref them so the process exits as soon as its work is done.
const originalSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = originalSetTimeout(handler, ms, ...args);
  if ((ms ?? 0) >= 1000 && typeof timer === 'object' && timer && 'unref' in timer) timer.unref();
  return timer;
}) as typeof setTimeout;

// Prisma 6 requires `url` in schema.prisma's datasource, yet every migrate command then warns that
// "the values from your schema will NOT be used" because a driver adapter is configured. Expected
// here: the adapter below connects to the very same DATABASE_URL. That one warning (about `url`
// alone; `directUrl` or `shadowDatabaseUrl` would be a real mistake) is dropped, not shown on
// every `npm start`.
const originalStdoutWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : '';
  const expectedUrlWarning =
    text.includes('Your schema specifies the following datasource properties but you are using a Driver Adapter') &&
    /^- url$/m.test(text) &&
    !/^- (directUrl|shadowDatabaseUrl)$/m.test(text);
  if (expectedUrlWarning) return true;
  return (originalStdoutWrite as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/pandora';
process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
// Migrations take an advisory lock and run DDL in sessions: past any transaction pooler.
const migrationUrl = () => process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL || DEFAULT_DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('libs', 'data-access', 'prisma', 'schema.prisma'),
  migrations: { path: path.join('libs', 'data-access', 'prisma', 'migrations') },
  async adapter() {
    return new PrismaCliPgAdapter(migrationUrl());
  },
});
