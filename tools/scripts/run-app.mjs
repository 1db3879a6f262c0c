// `npm run start:<app>`: builds the app (unless SKIP_BUILD=1, as in containers) and runs it,
// passing signals through so the app's graceful shutdown runs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// A local .env fills in what the real environment does not set (the environment always wins).
if (fs.existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
const app = process.argv[2];
if (!app) {
  console.error('usage: node tools/scripts/run-app.mjs <app>');
  process.exit(2);
}
if (process.env.SKIP_BUILD !== '1') {
  const built = spawnSync(process.execPath, [path.join(root, 'tools/scripts/build-app.mjs'), app], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const child = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist/apps', app, 'main.js'), ...process.argv.slice(3)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
