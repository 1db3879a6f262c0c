// `npm run lockfile:fix` — run after `npm install` changes package-lock.json on these machines.
//
// The registry these machines reach is a filtered mirror: it answers 404 for some platform-specific
// binaries (e.g. @swc/core-darwin-arm64, @unrs/resolver-binding-win32-x64-msvc). `npm install`
// then leaves those optional packages out of the lockfile, and `npm ci` refuses the lockfile as
// "out of sync". This adds the missing entries as placeholders (version, optional, os/cpu read from
// the package name). npm never fetches them on a platform they do not match, so they change nothing
// here; on a machine with the full registry, `npm install` replaces them with real entries.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const file = path.join(root, 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'sunos', 'netbsd', 'openbsd', 'aix'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];
// Names some packages use for a CPU instead of node's `process.arch` (e.g. @bufbuild/buf-linux-armv7).
const CPU_ALIASES = { aarch64: 'arm64', armv7: 'arm', amd64: 'x64' };

let added = 0;
for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const tokens = name.split('/').pop().split('-');
    const os = OS.find((candidate) => tokens.includes(candidate));
    const cpu = CPU.find((candidate) => tokens.includes(candidate)) ?? tokens.map((token) => CPU_ALIASES[token]).find(Boolean);
    if (!os || !cpu) {
      console.error(`cannot tell the platform of ${name}; add its lockfile entry by hand`);
      process.exitCode = 1;
      continue;
    }
    // Keys in the order npm writes them, so that npm and this script never rewrite each other.
    lock.packages[key] = { version, cpu: [cpu], ...(entry.dev ? { dev: true } : {}), optional: true, os: [os] };
    added++;
  }
}
const [rootEntry, ...rest] = Object.entries(lock.packages);
lock.packages = Object.fromEntries([rootEntry, ...rest.sort(([a], [b]) => a.localeCompare(b))]);
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added === 0 ? 'package-lock.json already complete' : `added ${added} placeholder entries to package-lock.json`);
