// Bundles one app (its workspace libs included, npm packages left external) into dist/apps/<app>/main.js,
// plus the browser apps it serves (user-api: the admin console, built by Vite into
// dist/apps/user-api/console). Used by `nx build <app>`, `npm start` and the container images, so
// there is one build recipe.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildConsole } from './build-console.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const apps = process.argv.slice(2);
if (apps.length === 0) {
  console.error('usage: node tools/scripts/build-app.mjs <app> [<app> …]');
  process.exit(2);
}

/** Browser apps an app serves, built beside its bundle: main.ts finds them there. */
const EMBEDDED = { 'user-api': [{ name: 'admin console', into: 'console', build: buildConsole }] };

// main.ts plus one bundle per command in src/cli/*.ts (helpers of those live in src/cli/lib/).
function entryPoints(app) {
  const cliDir = path.join(root, 'apps', app, 'src', 'cli');
  const clis = fs.existsSync(cliDir) ? fs.readdirSync(cliDir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts')) : [];
  return [
    { in: `apps/${app}/src/main.ts`, out: 'main' },
    ...clis.map((file) => ({ in: `apps/${app}/src/cli/${file}`, out: file.replace(/\.ts$/, '') })),
  ];
}

await Promise.all(
  apps.flatMap((app) => [
    ...(EMBEDDED[app] ?? []).map((embedded) => embedded.build(path.join(root, 'dist/apps', app, embedded.into))),
    build({
      absWorkingDir: root,
      entryPoints: entryPoints(app),
      outdir: `dist/apps/${app}`,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      tsconfig: 'tsconfig.base.json',
      sourcemap: true,
      logLevel: 'warning',
    }),
  ]),
);
console.log(`built ${apps.map((app) => `dist/apps/${app}`).join(', ')}`);
