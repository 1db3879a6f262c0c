/**
 * `npm run db:migrate`: creates the database if it does not exist, then applies every migration
 * with `prisma migrate deploy`. Reads DATABASE_DIRECT_URL (migrations take an advisory lock and run
 * DDL: never through a transaction pooler), else DATABASE_URL or the original DB_HOST/DB_PORT/…
 * variables; with none, the local development database (postgresql://postgres@127.0.0.1:5432/pandora).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { directDatabaseUrlFromEnv, LOCAL_DATABASE_URL, redactUrl } from '@pandora/config';
import pg from 'pg';

const root = path.resolve(__dirname, '../..');
if (fs.existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      console.log(`created database "${database}"`);
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const url = directDatabaseUrlFromEnv(process.env) ?? LOCAL_DATABASE_URL;
  console.log(`migrating ${redactUrl(url)}`);
  await ensureDatabase(url);
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, DATABASE_DIRECT_URL: url },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('prisma migrate deploy failed');
}

main().catch((error: unknown) => {
  console.error(`db:migrate failed: ${(error as Error).message}`);
  process.exit(1);
});
