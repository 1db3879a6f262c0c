// Builds the admin console (apps/admin-console) with Vite into a directory of static files that
// user-api serves on its admin listener at /console. One recipe for `npm run build`, `npm start`,
// the container image and the browser tests:
//   node tools/scripts/build-console.mjs [--out <dir>]   build (default dist/apps/admin-console)
//   node tools/scripts/build-console.mjs --dev [--port 5173] [--api http://127.0.0.1:8081]
//                                                        Vite's dev server, /api proxied to the admin port
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CONSOLE_ROOT = path.join(root, 'apps/admin-console');
export const CONSOLE_BASE = '/console/';

/** The Vite configuration (no config file: the console project holds only browser code). */
export function consoleConfig(outDir) {
  return {
    configFile: false,
    root: CONSOLE_ROOT,
    base: CONSOLE_BASE,
    logLevel: 'warn',
    clearScreen: false,
    // Preact's automatic JSX runtime (the same settings as apps/admin-console/tsconfig.json).
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      // The polyfill would be an inline script, which the console's CSP forbids; every browser the
      // console supports has modulepreload.
      modulePreload: { polyfill: false },
      // Assets are always files: a data: URL would need a CSP exception.
      assetsInlineLimit: 0,
      cssCodeSplit: false,
      sourcemap: false,
      reportCompressedSize: false,
    },
  };
}

export async function buildConsole(outDir = path.join(root, 'dist/apps/admin-console')) {
  const { build } = await import('vite');
  await build(consoleConfig(path.resolve(outDir)));
  return outDir;
}

async function main() {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const index = args.indexOf(name);
    return index >= 0 && args[index + 1] ? args[index + 1] : fallback;
  };
  if (args.includes('--dev')) {
    const { createServer } = await import('vite');
    const server = await createServer({
      ...consoleConfig(path.join(root, 'dist/apps/admin-console')),
      logLevel: 'info',
      server: {
        port: Number(option('--port', '5173')),
        strictPort: true,
        proxy: { '/api': { target: option('--api', 'http://127.0.0.1:8081') } },
      },
    });
    await server.listen();
    server.printUrls();
    return;
  }
  const outDir = option('--out', undefined);
  if (args.includes('--out') && !outDir) {
    console.error('usage: node tools/scripts/build-console.mjs [--out <dir>] | --dev [--port <port>] [--api <admin url>]');
    process.exit(2);
  }
  const built = await buildConsole(outDir);
  console.log(`built ${path.relative(process.cwd(), path.resolve(built)) || '.'}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
