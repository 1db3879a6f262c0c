// Bundles one app (its workspace libs included, npm packages left external) into dist/apps/<app>/main.js.
// Used by `nx build <app>`, `npm start` and the container images, so there is one build recipe.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const apps = process.argv.slice(2);
if (apps.length === 0) {
  console.error('usage: node tools/scripts/build-app.mjs <app> [<app> …]');
  process.exit(2);
}

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
  apps.map((app) =>
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
  ),
);
console.log(`built ${apps.map((app) => `dist/apps/${app}`).join(', ')}`);
