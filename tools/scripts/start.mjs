// `npm start`: applies migrations, builds the long-running apps, runs them side by side against
// DATABASE_URL/REDIS_URL (defaults: local PostgreSQL and Redis), prefixes their output, and stops
// them all on Ctrl-C (or when one of them dies). Without SMTP_URL it also runs the local mail
// catcher (tools/mail-catcher), where event-relay's courier then delivers: inbox on :8025.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// A local .env fills in what the real environment does not set (the environment always wins).
if (fs.existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
export const LONG_RUNNING_APPS = ['user-api', 'user-grpc', 'event-relay'];

function step(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

step(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'tools/scripts/db-migrate.ts']);
step(process.execPath, ['tools/scripts/build-app.mjs', ...LONG_RUNNING_APPS]);

// The catcher comes first, so that the courier's first mail finds it listening.
const processes = LONG_RUNNING_APPS.map((app) => ({
  name: app,
  args: ['--enable-source-maps', path.join(root, 'dist/apps', app, 'main.js')],
}));
if (!process.env.SMTP_URL) {
  processes.unshift({ name: 'mail-catcher', args: [path.join(root, 'tools/mail-catcher/mail-catcher.mjs')] });
  console.log('SMTP_URL is not set: mail goes to the local mail catcher, inbox at http://localhost:8025');
}

const children = new Map();
let stopping = false;
function stopAll(signal) {
  stopping = true;
  for (const child of children.values()) child.kill(signal);
}
for (const { name: app, args } of processes) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(app, child);
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${app}] ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    children.delete(app);
    if (!stopping) {
      console.error(`[${app}] exited (${signal ?? code}); stopping the others`);
      stopAll('SIGTERM');
      process.exitCode = 1;
    }
    if (children.size === 0) process.exit(process.exitCode ?? 0);
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));
