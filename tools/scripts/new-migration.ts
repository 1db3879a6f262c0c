/**
 * `npm run db:new-migration -- <name>`: writes the SQL that takes the committed migrations to the
 * current schema.prisma into libs/data-access/prisma/migrations/<timestamp>_<name>/migration.sql.
 *
 * Why not `prisma migrate dev`: with the WASM schema engine (the only one that works offline here)
 * `migrate dev` fails in its data-loss check; `migrate diff --script` is the same computation and
 * works. Review the file, add hand-written SQL (triggers, partial indexes) below the generated part,
 * then `npm run db:migrate`. Needs a PostgreSQL server for the shadow database (DATABASE_URL).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { databaseUrlFromEnv, LOCAL_DATABASE_URL } from '@pandora/config';

const root = path.resolve(__dirname, '../..');
const migrationsDir = path.join(root, 'libs/data-access/prisma/migrations');
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:new-migration -- <snake_case_name>');
  process.exit(2);
}

const result = spawnSync(
  path.join(root, 'node_modules/.bin/prisma'),
  [
    'migrate',
    'diff',
    '--from-migrations',
    migrationsDir,
    '--to-schema-datamodel',
    path.join(root, 'libs/data-access/prisma/schema.prisma'),
    '--script',
  ],
  { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrlFromEnv(process.env) ?? LOCAL_DATABASE_URL }, encoding: 'utf8' },
);
if (result.status !== 0) {
  console.error(result.stderr || result.stdout);
  process.exit(1);
}
const sql = result.stdout.replace(/^Loaded Prisma config.*\n/m, '').trim();
if (sql === '' || sql.includes('This is an empty migration')) {
  console.log('schema.prisma and the migrations already agree; no migration written');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), `${sql}\n`);
console.log(`wrote ${path.relative(root, path.join(dir, 'migration.sql'))}`);
