// Bundles one app (its workspace libs included, npm packages left external) into dist/apps/<app>/main.js.
// Used by `nx build <app>`, `npm start` and the container images, so there is one build recipe.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const apps = process.argv.slice(2);
if (apps.length === 0) {
  console.error('usage: node tools/scripts/build-app.mjs <app> [<app> …]');
  process.exit(2);
}

await Promise.all(
  apps.map((app) =>
    build({
      absWorkingDir: root,
      entryPoints: [`apps/${app}/src/main.ts`],
      outfile: `dist/apps/${app}/main.js`,
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
console.log(`built ${apps.map((app) => `dist/apps/${app}/main.js`).join(', ')}`);
